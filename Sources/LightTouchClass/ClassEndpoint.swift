import Foundation
import LightTouchCore

/// Where the class database is and how to log in: a PostgreSQL URL
/// (`postgresql://USER@HOST:PORT/DATABASE?sslmode=…`) and, kept apart from it,
/// the password. `description` never shows the password.
public struct ClassEndpoint: Sendable, Equatable, CustomStringConvertible {
    /// libpq's sslmode values (https://www.postgresql.org/docs/15/libpq-ssl.html#LIBPQ-SSL-PROTECTION).
    public enum SSLMode: String, Sendable, CaseIterable {
        case disable, allow, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var user: String
    public var database: String
    public var sslMode: SSLMode
    /// A file of trusted CA certificates (PEM), for verify-ca and verify-full.
    public var sslRootCert: String?
    public var password: String?

    public init(
        host: String, port: Int = 5432, user: String, database: String, sslMode: SSLMode = .prefer, sslRootCert: String? = nil,
        password: String? = nil
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.database = database
        self.sslMode = sslMode
        self.sslRootCert = sslRootCert
        self.password = password
    }

    /// host:port/database, for messages.
    public var description: String { "\(host):\(port)/\(database)" }

    /// The URL, without the password.
    public var url: String {
        var text = "postgresql://\(Self.encoded(user))@\(host.contains(":") ? "[\(host)]" : host):\(port)/\(Self.encoded(database))"
        text += "?sslmode=\(sslMode.rawValue)"
        if let sslRootCert { text += "&sslrootcert=\(Self.encoded(sslRootCert))" }
        return text
    }

    static func encoded(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// Parses a PostgreSQL URL. A user's or database's special characters are
    /// percent-encoded; the user defaults to `$PGUSER`, the database to the user.
    /// - Parameter allowPassword: false for a URL typed on a command line.
    public static func parse(_ text: String, allowPassword: Bool, environment: [String: String] = [:]) throws(ClassError) -> ClassEndpoint {
        guard text.hasPrefix("postgresql://") || text.hasPrefix("postgres://") else {
            throw .badURL("`\(PrintableText.excerpt(text))` does not start with postgresql://")
        }
        guard let components = URLComponents(string: text) else {
            throw .badURL("`\(PrintableText.excerpt(Self.withoutPassword(text)))` is not a URL")
        }
        if components.password != nil && !allowPassword { throw .passwordOnCommandLine }
        guard let host = components.host, !host.isEmpty else { throw .badURL("it names no host") }
        guard let user = components.user.flatMap({ $0.isEmpty ? nil : $0 }) ?? environment["PGUSER"] else {
            throw .badURL("it names no user")
        }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        var endpoint = ClassEndpoint(
            host: host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host, port: components.port ?? 5432, user: user,
            database: path.isEmpty ? user : path, password: components.password)
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let mode = item.value.flatMap(SSLMode.init(rawValue:)) else {
                    throw .badURL(
                        "sslmode `\(PrintableText.excerpt(item.value ?? ""))` is not one of \(SSLMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                endpoint.sslMode = mode
            case "sslrootcert": endpoint.sslRootCert = item.value
            case "connect_timeout", "application_name": break
            default: throw .badURL("the option `\(PrintableText.excerpt(item.name))` is not understood (sslmode and sslrootcert are)")
            }
        }
        return endpoint
    }

    /// The text with any password in its user-info replaced, for messages.
    static func withoutPassword(_ text: String) -> String {
        guard let scheme = text.range(of: "://"), let at = text[scheme.upperBound...].firstIndex(of: "@") else { return text }
        let userInfo = text[scheme.upperBound..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return text }
        return String(text[..<colon]) + ":***" + String(text[at...])
    }
}

/// Where a command finds its class: `--class URL_OR_FILE`, else
/// `$LIGHTTOUCH_CLASS`, else the first line of the config file
/// (`$XDG_CONFIG_HOME/lighttouch/class`, else `~/.config/lighttouch/class`).
/// Each holds either a PostgreSQL URL or the path of a credentials file. A
/// password comes from the credentials file, from a URL that is not on the
/// command line, or from `PGPASSWORD`.
public enum ClassLocator {
    public enum Source: Sendable, Equatable {
        case commandLine, environment, configFile(String)
    }

    public static func configPath(environment: [String: String]) -> String? {
        if let xdg = environment["XDG_CONFIG_HOME"], xdg.hasPrefix("/") { return xdg + "/lighttouch/class" }
        if let home = environment["HOME"], !home.isEmpty { return home + "/.config/lighttouch/class" }
        return nil
    }

    /// The text naming the class and where it came from; nil when none is set.
    public static func named(explicit: String?, environment: [String: String]) throws(ClassError) -> (text: String, source: Source)? {
        if let explicit { return (explicit, .commandLine) }
        if let value = environment["LIGHTTOUCH_CLASS"], !value.isEmpty { return (value, .environment) }
        guard let path = configPath(environment: environment), FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw .badCredentials(path: path, reason: "cannot read the class config file")
        }
        let line = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .first { !$0.isEmpty && !$0.hasPrefix("#") }
        guard let line else { return nil }
        return (line, .configFile(path))
    }

    /// The endpoint, with its password, for a URL or a credentials file.
    public static func resolve(_ text: String, source: Source, environment: [String: String]) throws(ClassError) -> (ClassEndpoint, ClassCredentials?) {
        if text.contains("://") {
            var endpoint = try ClassEndpoint.parse(text, allowPassword: source != .commandLine, environment: environment)
            if endpoint.password == nil { endpoint.password = environment["PGPASSWORD"] }
            return (endpoint, nil)
        }
        var path = text
        if case .configFile(let config) = source, !path.hasPrefix("/") {
            path = (config as NSString).deletingLastPathComponent + "/" + path
        }
        let credentials = try ClassCredentials.read(path: path)
        return (credentials.endpoint, credentials)
    }
}
