"""Stage 4: rules. One module per family; each rule a pure function Inventory -> findings."""
