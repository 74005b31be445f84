//! The permission each permission-gated change needs, checked by [`Permitted`] before its body
//! is read: a caller without it gets 403 (audited as a denial of that action) whatever they
//! sent, never a 422 that would skip the audit. The services check the same permission again,
//! for callers that are not handlers.
//!
//! [`Permitted`]: super::extract::Permitted

use ward_core::audit::AuditAction;
use ward_core::role::Permission;

use super::extract::Requirement;

/// Changing the policy.
#[derive(Debug)]
pub struct ManagePolicy;

impl Requirement for ManagePolicy {
    const PERMISSION: Permission = Permission::PolicyManage;
    const ACTION: AuditAction = AuditAction::PolicyChanged;
}

/// Creating accounts.
#[derive(Debug)]
pub struct CreateUsers;

impl Requirement for CreateUsers {
    const PERMISSION: Permission = Permission::UsersManage;
    const ACTION: AuditAction = AuditAction::UserCreated;
}

/// Enabling and disabling accounts.
#[derive(Debug)]
pub struct ChangeUserStatus;

impl Requirement for ChangeUserStatus {
    const PERMISSION: Permission = Permission::UsersManage;
    const ACTION: AuditAction = AuditAction::UserStatusChanged;
}

/// Creating and changing custom roles.
#[derive(Debug)]
pub struct ManageRoles;

impl Requirement for ManageRoles {
    const PERMISSION: Permission = Permission::PolicyManage;
    const ACTION: AuditAction = AuditAction::RoleChanged;
}

/// Creating on-call roles.
#[derive(Debug)]
pub struct CreateClinicalRoles;

impl Requirement for CreateClinicalRoles {
    const PERMISSION: Permission = Permission::UsersManage;
    const ACTION: AuditAction = AuditAction::ClinicalRoleCreated;
}

/// Scheduling shifts of on-call roles.
#[derive(Debug)]
pub struct ScheduleShifts;

impl Requirement for ScheduleShifts {
    const PERMISSION: Permission = Permission::UsersManage;
    const ACTION: AuditAction = AuditAction::ShiftScheduled;
}

/// Naming the on-call role a conversation escalates to.
#[derive(Debug)]
pub struct SetEscalationRole;

impl Requirement for SetEscalationRole {
    const PERMISSION: Permission = Permission::ConversationsCreate;
    const ACTION: AuditAction = AuditAction::EscalationRoleSet;
}

/// Registering patients.
#[derive(Debug)]
pub struct CreatePatients;

impl Requirement for CreatePatients {
    const PERMISSION: Permission = Permission::PatientsManage;
    const ACTION: AuditAction = AuditAction::PatientCreated;
}

/// Adding members to a patient's care team.
#[derive(Debug)]
pub struct ChangeCareTeams;

impl Requirement for ChangeCareTeams {
    const PERMISSION: Permission = Permission::PatientsManage;
    const ACTION: AuditAction = AuditAction::CareTeamChanged;
}

/// Starting conversations.
#[derive(Debug)]
pub struct CreateConversations;

impl Requirement for CreateConversations {
    const PERMISSION: Permission = Permission::ConversationsCreate;
    const ACTION: AuditAction = AuditAction::ConversationCreated;
}

/// Emergency access to a patient's records.
#[derive(Debug)]
pub struct BreakGlass;

impl Requirement for BreakGlass {
    const PERMISSION: Permission = Permission::BreakGlass;
    const ACTION: AuditAction = AuditAction::BreakGlassOpened;
}

/// Setting a conversation's message lifespan.
#[derive(Debug)]
pub struct SetLifespans;

impl Requirement for SetLifespans {
    const PERMISSION: Permission = Permission::ConversationsCreate;
    const ACTION: AuditAction = AuditAction::LifespanSet;
}

/// Setting a conversation's retention.
#[derive(Debug)]
pub struct SetRetention;

impl Requirement for SetRetention {
    const PERMISSION: Permission = Permission::PolicyManage;
    const ACTION: AuditAction = AuditAction::RetentionSet;
}

/// Placing legal holds.
#[derive(Debug)]
pub struct PlaceHolds;

impl Requirement for PlaceHolds {
    const PERMISSION: Permission = Permission::ComplianceManage;
    const ACTION: AuditAction = AuditAction::HoldPlaced;
}

/// Signing off an alert or a break-glass use with a note.
#[derive(Debug)]
pub struct SignOffAlerts;

impl Requirement for SignOffAlerts {
    const PERMISSION: Permission = Permission::AuditRead;
    const ACTION: AuditAction = AuditAction::AlertAcknowledged;
}

/// Recording access-review decisions.
#[derive(Debug)]
pub struct ReviewAccess;

impl Requirement for ReviewAccess {
    const PERMISSION: Permission = Permission::ComplianceManage;
    const ACTION: AuditAction = AuditAction::AccessReviewed;
}
