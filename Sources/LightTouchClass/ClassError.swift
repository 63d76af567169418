import LightTouchCore

/// What went wrong with the class server, in one line that says what to do.
/// No case ever carries a password: descriptions are safe for a terminal, a
/// log or an issue tracker.
public enum ClassError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A URL that is not a PostgreSQL URL, or has an option we do not understand.
    case badURL(String)
    /// A password written into a URL given on the command line (visible in `ps`).
    case passwordOnCommandLine
    /// A credentials file that cannot be read or is not one.
    case badCredentials(path: String, reason: String)
    /// The server could not be reached (refused, timed out, name unknown).
    case unreachable(endpoint: String, reason: String)
    /// The server refused the login (wrong password, unknown role, pg_hba).
    case authentication(endpoint: String, user: String, reason: String)
    /// TLS was required and could not be set up.
    case tls(endpoint: String, reason: String)
    /// The class schema is missing, older than this program or newer.
    case schema(String)
    /// The server refused a statement; `state` is the SQLSTATE.
    case server(state: String, message: String)
    /// A name that cannot be a login (empty, too long).
    case badName(String)
    /// Anything else, described without secrets.
    case other(String)

    public var description: String {
        switch self {
        case .badURL(let why): "bad class URL: \(why); write it as postgresql://USER@HOST:PORT/DATABASE?sslmode=prefer"
        case .passwordOnCommandLine:
            "the class URL holds a password, which other users could read from the process list; "
                + "remove it and put it in PGPASSWORD, $LIGHTTOUCH_CLASS or the class config file instead"
        case .badCredentials(let path, let reason): "\(PrintableText.escaped(path)): \(reason)"
        case .unreachable(let endpoint, let reason):
            "cannot reach the class server at \(endpoint) (\(reason)); check that PostgreSQL runs there and the URL's host and port"
        case .authentication(let endpoint, let user, let reason):
            "the class server at \(endpoint) refused the login of `\(PrintableText.escaped(user))` (\(reason)); "
                + "check the credentials file, or make a new one with `lighttouch class add-station`"
        case .tls(let endpoint, let reason): "cannot set up TLS with the class server at \(endpoint) (\(reason)); check sslmode and sslrootcert"
        case .schema(let why): why
        case .server(let state, let message): "the class server refused: \(PrintableText.escaped(message)) (SQLSTATE \(state))"
        case .badName(let why): why
        case .other(let why): why
        }
    }
}
