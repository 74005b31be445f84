// Small helpers shared by the compliance console's sections.

import { conversationTitle, live, patientFullName, patientIdentifiers } from "../../lib/live.svelte";
import type { AlertKind, HoldScope, PatientView, Uuid } from "../../lib/types";

export interface Option { value: string; label: string }

/** An alert's kind in plain words. */
export const ALERT_KINDS: Record<AlertKind, string> = {
  break_glass: "Break-glass access",
  many_patients: "Many patients' records opened",
  bulk_download: "Bulk download or export",
  failed_logins: "Repeated failed sign-ins",
  new_address: "Sign-in from a new address",
  unusual_hours: "Sign-in at an unusual hour",
  privileged_change: "A privileged change awaits approval",
};

export const SCOPES: Record<HoldScope, string> = {
  conversation: "Conversation",
  patient: "Patient",
  user: "User",
};

export const UUID_PATTERN = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
export const isUuid = (text: string) => new RegExp(`^${UUID_PATTERN}$`).test(text);

/** A `datetime-local` value as RFC 3339 with its zone, or undefined when empty or invalid. */
export function rfc3339(local: string): string | undefined {
  if (!local) return undefined;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

export function patientLabel(patient: PatientView): string {
  return `${patientFullName(patient)} · ${patientIdentifiers(patient)}`;
}

export function patientOptions(patients: PatientView[]): Option[] {
  return patients.map((p) => ({ value: p.id, label: patientLabel(p) })).sort((a, b) => a.label.localeCompare(b.label));
}

/** Everyone in the directory, by display name. */
export function userOptions(): Option[] {
  return Object.values(live.users)
    .map((u) => ({ value: u.id, label: `${u.display_name} (${u.username})` }))
    .sort((a, b) => a.label.localeCompare(b.label));
}

/** The signed-in user's conversations, by title. */
export function conversationOptions(): Option[] {
  return Object.values(live.conversations)
    .map((c) => ({ value: c.id, label: conversationTitle(c) }))
    .sort((a, b) => a.label.localeCompare(b.label));
}

/** A short form of an id that has no name to show. */
export function shortId(id: Uuid): string {
  return `${id.slice(0, 8)}…`;
}

/** A patient's name where known, else a short id. */
export function patientName(id: Uuid | null, patients: PatientView[]): string {
  if (!id) return "";
  const patient = patients.find((p) => p.id === id) ?? live.patients[id];
  return patient ? patientLabel(patient) : `Patient ${shortId(id)}`;
}

/** Saves text as a file through a temporary link; the object URL is revoked once it is used. */
export function download(fileName: string, content: string, type: string): void {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  link.rel = "noopener";
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** A file name's date part: `2025-03-14`. */
export function today(): string {
  return new Date().toISOString().slice(0, 10);
}
