"""devicetype-library YAML -> superpod catalog entries, one concern per module: `tables` (the
NetBox choice tables), `schema` (the library's JSON Schema, with the upstream relaxations),
`fields` (what happens to every field), `ports`, `power`, `roles`, `device`, `rack`. The
entry points stay in `superpod_iac.netbox.importer`."""
