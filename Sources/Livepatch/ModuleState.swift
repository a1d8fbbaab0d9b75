/// A target module's state, as the core sees it (`enum module_state`, with
/// UNLOADED for a module that is not inserted): the value of its state field.
public enum ModuleState {
    /// Not inserted.
    public static let unloaded = 0
    /// `MODULE_STATE_COMING`: the COMING notifier has run, init runs next.
    public static let coming = 1
    /// `MODULE_STATE_LIVE`.
    public static let live = 2
    /// `MODULE_STATE_GOING`: exit has run, the GOING notifier runs next.
    public static let going = 3
}
