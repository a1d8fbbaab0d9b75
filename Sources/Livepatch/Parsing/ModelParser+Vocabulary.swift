/// The words of the `.klp` language, as messages and tests list them.
extension ModelParser {
    static let keywords = [
        "tasks", "force", "core", "module", "patch", "state", "object", "check", "expect", "data", "setting", "on",
        "code", "original",
    ]
    static let callbackForms = [
        "pre_patch", "pre_patch(may-fail ERRNO)", "pre_patch(fails ERRNO)", "post_patch", "pre_unpatch",
        "post_unpatch", "patching(may-fail)",
    ]
    static let errnoNames: [(String, Int32)] = [
        ("-ENODEV", -19), ("-EBUSY", -16), ("-EINVAL", -22), ("-ENOMEM", -12), ("-EPERM", -1), ("-EAGAIN", -11),
    ]
    static let errnoExpected = "expected -ENODEV, -EBUSY, -EINVAL, -ENOMEM, -EPERM, -EAGAIN or a negative integer"
    static let namePattern = "[A-Za-z_][A-Za-z0-9_-]*"
    static var propertyList: String { LivepatchProperty.allCases.map(\.rawValue).joined(separator: ", ") }
    static var violationList: String {
        LivepatchProperty.allCases.filter { !$0.isFinding }.map(\.rawValue).joined(separator: ", ")
    }
    static var findingList: String {
        LivepatchProperty.allCases.filter(\.isFinding).map(\.rawValue).joined(separator: ", ")
    }
    static var variantList: String { CoreVariant.allCases.map(\.rawValue).joined(separator: ", ") }
}
