"""Pipeline configuration: the TOML schema, the frozen settings model, loading with problems
that name the key, and writing a configuration back as TOML."""
