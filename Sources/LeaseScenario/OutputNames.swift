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
        case .licenseRemoved: return "license_removed"
        case .faultStarted: return "fault_started"
        case .faultEnded: return "fault_ended"
        case .messageDropped: return "message_dropped"
        case .requestTimedOut: return "request_timed_out"
        case .requestRetried: return "request_retried"
        case .requestAbandoned: return "request_abandoned"
        case .autoLeaseEnabled: return "auto_lease_enabled"
        case .autoLeaseDisabled: return "auto_lease_disabled"
        case .autoIncrement: return "auto_increment"
        case .autoLeaseEnded: return "auto_lease_ended"
        case .autoLeaseReport: return "auto_lease_report"
        case .autoLeaseUsage: return "auto_lease_usage"
        case .reconciled: return "reconciled"
        case .notReconciled: return "not_reconciled"
        case .penaltyStarted: return "penalty_started"
        case .penaltyEnded: return "penalty_ended"
        case .serverLicenseStarted: return "server_license_started"
        case .serverLicenseEnded: return "server_license_ended"
        case .licenseSurrendered: return "license_surrendered"
        case .surrenderRefused: return "surrender_refused"
        case .surrenderReceived: return "surrender_received"
        case .surrenderResumed: return "surrender_resumed"
        case .surrenderExpired: return "surrender_expired"
        case .licenseRecalled: return "license_recalled"
        case .recallRefused: return "recall_refused"
        case .recallReceived: return "recall_received"
        case .heartbeatMissed: return "heartbeat_missed"
        case .licensingStopped: return "licensing_stopped"
        case .licensingResumed: return "licensing_resumed"
        case .duplicateAuthorization: return "duplicate_authorization"
        case .restoreGraceEnded: return "restore_grace_ended"
        case .licensesReinstalled: return "licenses_reinstalled"
        case .downloadChecked: return "download_checked"
        case .downloadFailed: return "download_failed"
        case .licenseDownloaded: return "license_downloaded"
        case .leaderChanged: return "leader_changed"
        case .clusterAffiliation: return "cluster_affiliation"
        case .haApart: return "ha_split"
        case .haFailover: return "failover"
        case .haRejoined: return "ha_rejoined"
        case .haGraceEnded: return "ha_grace_ended"
        case .haModeChanged: return "ha_mode_changed"
        }
    }
}

extension FaultSpec.Effect {
    /// The fault's kind as a scenario names it.
    public var kindName: String {
        switch self {
        case .partition: return "partition"
        case .loss: return "loss"
        case .addedLatency: return "latency"
        case .crash: return "crash"
        }
    }
}

extension MessageKind {
    /// The message's name in events.csv (the reason column of drops, timeouts and retries).
    var name: String {
        switch self {
        case .reserveRequest: return "reserve_request"
        case .incrementRequest: return "increment_request"
        case .renewRequest: return "renewal"
        case .release: return "release"
        case .autoLeaseReport: return "auto_lease_report"
        case .reserveReply: return "reserve_reply"
        case .incrementReply: return "increment_reply"
        case .renewReply: return "renewal_reply"
        case .refusal: return "refusal"
        case .leaseCut: return "lease_cut"
        case .surrenderNotice: return "surrender_notice"
        case .surrenderAck: return "surrender_ack"
        case .heartbeat: return "heartbeat"
        case .heartbeatAck: return "heartbeat_ack"
        case .downloadRequest: return "download_request"
        case .downloadReply: return "download_reply"
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
        case .noServerLicense: return "no license-server license"
        case .notSurrenderable: return "not a perpetual user-count license"
        case .noMemberLicense: return "no member license (LICENSE-MBR)"
        case .licenseNotInstalled: return "license not installed now"
        case .alreadySurrendered: return "already surrendered"
        case .clientDown: return "client down"
        case .notSurrendered: return "not surrendered"
        case .licensingStopped: return "licensing stopped: no heartbeat reached the cloud"
        case .restoreGraceEnded: return "restored without its licenses: grace period over"
        }
    }
}
