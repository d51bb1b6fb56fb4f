import LeaseKernel

/// R-CLU-3 (assumed, configurable): who leads a side of a cluster.
public enum LeaderElection: String, Sendable, CaseIterable {
    /// A leader keeps the lead while it runs and reaches its members; when it fails or is cut off, the
    /// lowest-named member it no longer reaches leads the rest (the default). When two sides join, the
    /// lower-named of their leaders keeps the lead.
    case sticky
    /// The lowest-named member of each side always leads: a member that comes back takes the lead back.
    case lowestNamed
}

/// R-CLU-1..3: how clustered clients behave.
public struct ClusterPolicy: Sendable, Equatable {
    public var leader = LeaderElection.sticky
    public init() {}
}

/// A cluster of clients that lease as one through a lease leader (R-CLU-1).
public struct ClusterSpec: Sendable {
    public var id: String
    /// The members' client indices, the lowest-named first (a member's rank is its place here).
    public var members: [Int]
    /// The most members a cluster may have.
    public static let maxMembers = 32

    public init(id: String, members: [Int]) {
        self.id = id
        self.members = members
    }
}
