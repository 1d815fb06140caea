#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs `/bin/sh -c command` with posix_spawn, with no standard input, and collects its
/// standard output and error. FoundationEssentials has no `Process`, and the full Foundation
/// would bring its ICU into the executable.
enum ShellCommand {
    enum Outcome {
        /// `status` is the exit status, or the number of the signal that ended the command.
        case finished(status: Int32, output: [UInt8], errors: [UInt8])
        /// Killed, with its whole process group, at the time-out.
        case timedOut
        /// posix_spawn's (or pipe's) error number.
        case cannotStart(Int32)
    }

    /// The blocking part runs on a thread of its own, not on one of Swift concurrency's few
    /// cooperative threads, which a slow command would otherwise hold for its whole time-out.
    static func run(_ command: String, timeout: Double) async -> Outcome {
        await withCheckedContinuation { continuation in
            detachThread { continuation.resume(returning: runBlocking(command, timeout: timeout)) }
        }
    }

    static func runBlocking(_ command: String, timeout: Double) -> Outcome {
        let deadline = ContinuousClock.now + .milliseconds(Int64((max(timeout, 0) * 1000).rounded(.up)))
        var outputPipe: [Int32] = [-1, -1], errorPipe: [Int32] = [-1, -1]
        guard pipe(&outputPipe) == 0 else { return .cannotStart(errno) }
        guard pipe(&errorPipe) == 0 else {
            let error = errno
            close(outputPipe[0]); close(outputPipe[1])
            return .cannotStart(error)
        }
        // Close-on-exec, so that no other child spawned meanwhile keeps a pipe open; the
        // child's copies on 1 and 2 are made by dup2 and stay open.
        for fd in outputPipe + errorPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }

        var pid: pid_t = 0
        let spawned = spawn(command, output: outputPipe[1], errors: errorPipe[1], pid: &pid)
        close(outputPipe[1]); close(errorPipe[1])
        defer { close(outputPipe[0]); close(errorPipe[0]) }
        guard spawned == 0 else { return .cannotStart(spawned) }

        var output = [UInt8](), errors = [UInt8]()
        // Both pipes drain together, so that a command filling one never blocks on it while
        // this side waits on the other.
        var open: [(fd: Int32, isOutput: Bool)] = [(outputPipe[0], true), (errorPipe[0], false)]
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while !open.isEmpty {
            guard let wait = milliseconds(until: deadline) else { return killed(pid) }
            var polled = open.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&polled, nfds_t(polled.count), wait)
            if ready < 0 {
                if errno == EINTR { continue }
                return killed(pid)
            }
            var stillOpen: [(fd: Int32, isOutput: Bool)] = []
            for (index, entry) in open.enumerated() {
                guard polled[index].revents != 0 else { stillOpen.append(entry); continue }
                let count = buffer.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    if entry.isOutput { output += buffer[..<count] } else { errors += buffer[..<count] }
                    stillOpen.append(entry)
                } else if count < 0 && (errno == EINTR || errno == EAGAIN) {
                    stillOpen.append(entry)
                }
                // 0 is the end of the stream; any other error ends it too.
            }
            open = stillOpen
        }

        // The command closed its outputs; it normally exits at once, but may linger.
        var pause: UInt32 = 1_000
        while true {
            var status: Int32 = 0
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid { return .finished(status: exitStatus(status), output: output, errors: errors) }
            if reaped < 0 && errno != EINTR { return .finished(status: -1, output: output, errors: errors) }
            guard milliseconds(until: deadline) != nil else { return killed(pid) }
            usleep(pause)
            pause = min(pause * 2, 50_000)
        }
    }

    /// posix_spawn's result: 0, or an error number.
    private static func spawn(_ command: String, output: Int32, errors: Int32, pid: inout pid_t) -> Int32 {
        #if canImport(Darwin)
        var actions: posix_spawn_file_actions_t? = nil
        var attributes: posix_spawnattr_t? = nil
        #else
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        #endif
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, output, 1)
        posix_spawn_file_actions_adddup2(&actions, errors, 2)
        // Its own process group (pgid 0: its pid), so that the time-out kills the command's
        // children too; no blocked signals, and SIGPIPE back to its default, whatever this
        // process inherited or set.
        var noSignals = sigset_t(), pipeSignal = sigset_t()
        sigemptyset(&noSignals)
        sigemptyset(&pipeSignal)
        sigaddset(&pipeSignal, SIGPIPE)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &pipeSignal)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let arguments = ["/bin/sh", "-c", command].map { (argument: String) in strdup(argument) }
        defer { arguments.forEach { free($0) } }
        #if canImport(Darwin)
        let environment = _NSGetEnviron()!.pointee
        #else
        let environment = environ
        #endif
        return posix_spawn(&pid, "/bin/sh", &actions, &attributes, arguments + [nil], environment)
    }

    /// SIGKILL to the whole process group (an inherited signal mask cannot block it), then
    /// the child reaped.
    private static func killed(_ pid: pid_t) -> Outcome {
        if kill(-pid, SIGKILL) != 0 { kill(pid, SIGKILL) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return .timedOut
    }

    /// The milliseconds left before `deadline` for poll, or nil once it has passed.
    private static func milliseconds(until deadline: ContinuousClock.Instant) -> Int32? {
        let left = ContinuousClock.now.duration(to: deadline)
        guard left > .zero else { return nil }
        let (seconds, attoseconds) = left.components
        return Int32(clamping: seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
    }

    /// What wait reports, decoded as WIFEXITED, WEXITSTATUS and WTERMSIG do (C macros that
    /// Swift does not import): the exit status, or the signal's number.
    private static func exitStatus(_ status: Int32) -> Int32 {
        status & 0x7F == 0 ? (status >> 8) & 0xFF : status & 0x7F
    }
}

/// Runs `body` on a new detached thread (falling back to this one if none can be made).
private func detachThread(_ body: @escaping @Sendable () -> Void) {
    final class Body {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }
    let box = Unmanaged.passRetained(Body(body)).toOpaque()
    #if canImport(Darwin)
    var thread: pthread_t? = nil
    let created = pthread_create(&thread, nil, { raw in
        Unmanaged<Body>.fromOpaque(raw).takeRetainedValue().run()
        return nil
    }, box)
    if created == 0, let thread { pthread_detach(thread) }
    #else
    var thread = pthread_t()
    let created = pthread_create(&thread, nil, { raw in
        Unmanaged<Body>.fromOpaque(raw!).takeRetainedValue().run()
        return nil
    }, box)
    if created == 0 { pthread_detach(thread) }
    #endif
    if created != 0 { Unmanaged<Body>.fromOpaque(box).takeRetainedValue().run() }
}
