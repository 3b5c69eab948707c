"""The clinic's people: tenants, users, therapist assignment, consent, feature flags and the RTM policy.

Other contexts reach people only through these functions, never through its repository."""

from services.plans.people.handlers import assign_to_therapist, clinic_flag, granted_purposes, patient_zone, visible_patient

__all__ = ["assign_to_therapist", "clinic_flag", "granted_purposes", "patient_zone", "visible_patient"]
