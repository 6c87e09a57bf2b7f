import AsyncHTTPClient
import NIOCore
import NIOPosix
import NIOSSL

/// The HTTP client every backend call goes through: AsyncHTTPClient (HTTP/1.1 and HTTP/2 over TLS with certificate
/// verification against the system's roots, or the given CA), on the process's shared event loops.
///
/// A refused or failed connection fails the request at once instead of being retried by the connection pool until
/// the request's deadline: the callers retry with backoff themselves, and an unreachable endpoint must be reported
/// in seconds, not after every deadline ran out.
public enum BackendHTTPClient {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// A new client; the caller shuts it down (`try await client.shutdown()`) when done.
    public static func make(caFile: String? = nil, connectTimeout: TimeAmount = .seconds(5)) throws(Failure)
        -> HTTPClient
    {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = HTTPClient.Configuration.Timeout(connect: connectTimeout, read: .seconds(60))
        configuration.connectionPool.retryConnectionEstablishment = false
        if let caFile {
            var tls = TLSConfiguration.makeClientConfiguration()
            do {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
            } catch {
                throw Failure(description: "cannot read CA certificates from \(caFile): \(error)")
            }
            configuration.tlsConfiguration = tls
        }
        return HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
    }

    /// One client for the life of the process (commands that run once, and tests): never shut down.
    public static let shared: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = HTTPClient.Configuration.Timeout(connect: .seconds(5), read: .seconds(60))
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
    }()
}
