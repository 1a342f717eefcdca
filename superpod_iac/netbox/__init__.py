"""NetBox interoperability: import devicetype-library files as a Catalog, export a design as
CSV files NetBox's bulk import accepts."""
