import LeaseModel

/// The names output files give to the model's values (presentation belongs to the output layer).
extension ProtocolEventKind {
    /// The name in events.csv.
    var name: String {
        switch self {
        case .reserveRequest: return "reserve_request"
        case .incrementRequest: return "increment_request"
        case .renewal: return "renewal"
        case .release: return "release"
        case .reserveGrant: return "reserve_grant"
        case .incrementGrant: return "increment_grant"
        case .refusal: return "refusal"
        case .renewed: return "renewed"
        case .reclaim: return "reclaim"
        case .lapse: return "lapse"
        case .cut: return "cut"
        case .loginsDenied: return "logins_denied"
        case .notCovered: return "not_covered"
        case .configChange: return "config_change"
        case .clientDeleted: return "client_deleted"
        case .pullState: return "pull_state"
        case .clientStopped: return "client_stopped"
        case .clientStarted: return "client_started"
        case .licenseStarted: return "license_started"
        case .licenseEnded: return "license_ended"
        }
    }
}

extension RefusalReason {
    /// The reason column of events.csv.
    var text: String {
        switch self {
        case .none: return ""
        case .notConfigured: return "client not configured"
        case .allocationExpired: return "allocation expired"
        case .noFreeLicenses: return "no free licenses"
        case .beyondAllocation: return "beyond allocation"
        }
    }
}
