extension SearchDocument {
    /// The name of the JSON schema of every document klpcheck writes (verify,
    /// bench and gate), and that `--version` prints. Fields are only ever
    /// added under one name; a change that breaks readers gets a new name.
    public static let schemaName = "klpcheck/1"
}
