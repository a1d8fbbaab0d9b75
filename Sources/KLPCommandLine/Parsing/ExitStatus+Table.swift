import Livepatch

extension ExitStatus {
    /// The table that `--help` and the README print.
    public static let table = """
        EXIT STATUS:
          0   every checked property holds over a complete search
          1   a checked property is violated
          2   bad input or usage
          3   incomplete: a limit stopped the search, or bitstate mode
          70  internal error, or standard output or error could not be written
          130 interrupted by SIGINT (143: SIGTERM); a search prints its partial result first
          141 the reader of standard output went away (SIGPIPE)
        """
}
