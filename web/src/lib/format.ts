// How times are shown to people.

/** A time for people to read, in their locale; "—" when there is none. */
export function when(at: string | null | undefined): string {
  return at ? new Date(at).toLocaleString() : "—";
}
