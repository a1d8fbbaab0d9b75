import KLPEngine

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns SIGINT and SIGTERM during a search into the engine's stop request,
/// so that the search ends as a limit ends it and its partial result is
/// printed; the process then dies by the signal, as it would have without
/// a handler (the shell sees 130 or 143).
///
/// The partial result gets `graceSeconds`; after that, or at a second
/// signal, the process dies by the signal at once. Only the real process
/// arms this (`KLPCheck.runAsProcess`): commands run inside a test process
/// never touch its signals.
enum Interruption {
    /// Seconds the partial result may take after the first signal.
    static let graceSeconds: UInt32 = 3
    /// Whether searches may arm the handlers; set once, before any command runs.
    nonisolated(unsafe) static var isEnabled = false
    /// The stop request every search of this process holds.
    static let stop = StopRequest()
    /// The signal caught, or 0; written only by the handler, before it makes the request.
    nonisolated(unsafe) static var caught: Int32 = 0
    nonisolated(unsafe) private static var isArmed = false

    /// Installs the handlers (the first time) and returns the stop request
    /// for a search; nil when the process does not handle signals.
    static func arm() -> StopRequest? {
        guard isEnabled else { return nil }
        if !isArmed {
            isArmed = true
            // Both are lazily made globals: made here, never in a handler.
            _ = stop.isRequested
            caught = 0
            signal(SIGINT, onStopSignal)
            signal(SIGTERM, onStopSignal)
            signal(SIGALRM, onGraceOver)
        }
        return stop
    }

    /// The signal that interrupted the process, if one did.
    static var signalCaught: Int32? {
        guard isEnabled, stop.isRequested, caught != 0 else { return nil }
        return caught
    }

    /// The name of a stop signal: `SIGINT`, `SIGTERM`.
    static func name(of number: Int32) -> String {
        switch number {
        case SIGINT: return "SIGINT"
        case SIGTERM: return "SIGTERM"
        default: return "signal \(number)"
        }
    }

    /// Ends the process by the caught signal, if one was caught.
    static func endIfInterrupted() {
        if let caught = signalCaught { die(by: caught) }
    }
}

/// The first stop signal asks the search to stop and starts the grace
/// period; a second one ends the process. Only async-signal-safe work here.
private func onStopSignal(_ number: Int32) {
    if Interruption.caught != 0 { die(by: number) }
    Interruption.caught = number
    Interruption.stop.request()
    alarm(Interruption.graceSeconds)
}

/// The partial result took too long: end as the first signal would have.
private func onGraceOver(_: Int32) {
    die(by: Interruption.caught == 0 ? SIGALRM : Interruption.caught)
}

/// Dies by `number` with its default action (so that a parent shell sees
/// a death by signal), or exits 128 + `number` if that somehow returns.
private func die(by number: Int32) -> Never {
    signal(number, SIG_DFL)
    var set = sigset_t()
    sigemptyset(&set)
    sigaddset(&set, number)
    sigprocmask(SIG_UNBLOCK, &set, nil)
    raise(number)
    _exit(128 + number)
}
