//! The permission each permission-gated change needs, checked by [`Permitted`] before its body
//! is read: a caller without it gets 403 (audited as a denial of that action) whatever they
//! sent, never a 422 that would skip the audit. The services check the same permission again,
//! for callers that are not handlers.
//!
//! [`Permitted`]: super::extract::Permitted

use ward_core::audit::AuditAction;
use ward_core::role::Permission;

use super::extract::Requirement;

/// Declares a requirement: a unit type naming the permission and the audited action.
macro_rules! requirement {
    ($(#[$doc:meta])* $name:ident: $permission:ident, $action:ident) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $name;

        impl Requirement for $name {
            const PERMISSION: Permission = Permission::$permission;
            const ACTION: AuditAction = AuditAction::$action;
        }
    };
}

requirement!(
    /// Changing the policy.
    ManagePolicy: PolicyManage, PolicyChanged
);
requirement!(
    /// Creating accounts.
    CreateUsers: UsersManage, UserCreated
);
requirement!(
    /// Enabling and disabling accounts.
    ChangeUserStatus: UsersManage, UserStatusChanged
);
requirement!(
    /// Creating and changing custom roles.
    ManageRoles: PolicyManage, RoleChanged
);
requirement!(
    /// Creating on-call roles.
    CreateClinicalRoles: UsersManage, ClinicalRoleCreated
);
requirement!(
    /// Scheduling shifts of on-call roles.
    ScheduleShifts: UsersManage, ShiftScheduled
);
requirement!(
    /// Naming the on-call role a conversation escalates to.
    SetEscalationRole: ConversationsCreate, EscalationRoleSet
);
requirement!(
    /// Registering patients.
    CreatePatients: PatientsManage, PatientCreated
);
requirement!(
    /// Adding members to a patient's care team.
    ChangeCareTeams: PatientsManage, CareTeamChanged
);
requirement!(
    /// Starting conversations.
    CreateConversations: ConversationsCreate, ConversationCreated
);
requirement!(
    /// Emergency access to a patient's records.
    BreakGlass: BreakGlass, BreakGlassOpened
);
requirement!(
    /// Setting a conversation's message lifespan.
    SetLifespans: ConversationsCreate, LifespanSet
);
requirement!(
    /// Setting a conversation's retention.
    SetRetention: PolicyManage, RetentionSet
);
requirement!(
    /// Placing legal holds.
    PlaceHolds: ComplianceManage, HoldPlaced
);
