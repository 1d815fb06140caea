import Dispatch
import PreflightKit
import PreflightStore
#if PREFLIGHT_S3
import PreflightS3
#endif

/// What a command needs of S3, opened only when an argument names S3: the store images and
/// listings are read through, the manifests read from it once, and an account of the requests.
/// Region, endpoint and credentials come from the environment and the shared AWS files, as the
/// AWS command line reads them.
final class S3Access {
    let store: any ObjectStore
    let manifests: StoredManifests
    #if PREFLIGHT_S3
    private let client: S3Client
    #endif

    /// True when `argument` names something in S3.
    static func names(_ argument: String?) -> Bool { argument?.hasPrefix("s3://") == true }

    /// S3 opened when one of `arguments` names it or the images are to be read from it.
    static func openIfNamed(_ arguments: [String], imagesFromS3: Bool) throws -> S3Access? {
        arguments.contains(where: names) || imagesFromS3 ? try open() : nil
    }

    static func open() throws -> S3Access {
        #if PREFLIGHT_S3
        let client: S3Client
        do throws(StoreError) {
            client = try S3Client.standard()
        } catch {
            throw CommandFailure("cannot reach S3: \(error.description)")
        }
        return S3Access(client: client)
        #else
        throw CommandFailure("this build of preflight reads no S3 (it was built with PREFLIGHT_WITHOUT_S3); check a local copy with --map or --root")
        #endif
    }

    #if PREFLIGHT_S3
    private init(client: S3Client) {
        self.client = client
        // An object over the service's 15 MB limit is refused from its size, never downloaded.
        store = S3Store(client: client, maxReadBytes: ServiceLimits.maxImageBytes)
        manifests = StoredManifests(store: store)
    }
    #else
    // Never called: without S3, `open()` refuses.
    private init(store: any ObjectStore) {
        self.store = store
        manifests = StoredManifests(store: store)
    }
    #endif

    /// The manifest `name`, read from S3 into a local copy (a local path is taken as it is).
    func input(_ name: String, role: DatasetRole) throws -> ManifestInput {
        guard StoredManifests.isStored(name) else { return ManifestInput(path: name, role: role) }
        do { return try manifests.fetch(name, role: role) } catch { throw CommandFailure(error.description) }
    }

    /// The region the bucket lives in, when the service runs there.
    func serviceRegion(of bucket: String) -> String? {
        #if PREFLIGHT_S3
        let client = client
        let region = waitFor { () async -> String? in try? await client.region(of: bucket) }
        return region.flatMap(ServiceLimits.region(named:))
        #else
        return nil
        #endif
    }

    /// "S3: 1,204 requests (1,200 GET, 4 LIST), 77,100,224 bytes received".
    var usage: String {
        #if PREFLIGHT_S3
        let counts = client.usage.counts
        var kinds: [String] = []
        if counts.gets > 0 { kinds.append("\(counts.gets) GET") }
        if counts.heads > 0 { kinds.append("\(counts.heads) HEAD") }
        if counts.lists > 0 { kinds.append("\(counts.lists) LIST") }
        if counts.others > 0 { kinds.append("\(counts.others) other") }
        return "S3: \(counts.requests) request\(counts.requests == 1 ? "" : "s")"
            + (kinds.isEmpty ? "" : " (\(kinds.joined(separator: ", ")))") + ", \(counts.bytes) bytes received"
        #else
        return "S3: not used"
        #endif
    }

    func close() {
        #if PREFLIGHT_S3
        let client = client
        waitFor { () async -> Void in await client.shutdown() }
        #endif
    }
}

/// Runs `operation` and waits for it, from a thread that is not Swift's concurrency pool (the
/// command's main thread).
private func waitFor<T: Sendable>(_ operation: @escaping @Sendable () async -> T) -> T {
    let box = WaitBox<T>()
    let done = DispatchSemaphore(value: 0)
    Task {
        box.value = await operation()
        done.signal()
    }
    done.wait()
    return box.value!
}

/// Written by the task before it signals, read after the wait.
private final class WaitBox<T: Sendable>: @unchecked Sendable {
    var value: T?
}
