// The billing worklist's query, its CSV link (same filters, no paging) and which records can be marked billed.
export const BILLING_STATUSES = ["projected", "ready", "billed"] as const;
export const RTM_CODES = ["98975", "98985", "98977", "98979", "98980", "98981"] as const;

export interface WorklistFilters {
  status: "" | (typeof BILLING_STATUSES)[number];
  code: "" | (typeof RTM_CODES)[number];
  periodFrom: string;
  periodTo: string;
}

export const NO_FILTERS: WorklistFilters = { status: "", code: "", periodFrom: "", periodTo: "" };

export interface WorklistQuery {
  limit?: number;
  cursor?: string;
  status?: (typeof BILLING_STATUSES)[number];
  code?: (typeof RTM_CODES)[number];
  periodFrom?: string;
  periodTo?: string;
}

/** Only the filters set are sent: the route refuses parameters it does not know and defaults the rest. */
export function worklistFilterQuery(filters: WorklistFilters): WorklistQuery {
  const query: WorklistQuery = {};
  if (filters.status) query.status = filters.status;
  if (filters.code) query.code = filters.code;
  if (filters.periodFrom) query.periodFrom = filters.periodFrom;
  if (filters.periodTo) query.periodTo = filters.periodTo;
  return query;
}

export function worklistQuery(filters: WorklistFilters, cursor: string | null, limit = 50): WorklistQuery {
  return { ...worklistFilterQuery(filters), limit, ...(cursor ? { cursor } : {}) };
}

/** The CSV of every record the filters select (all pages): a plain link, the cookie session authorises it. */
export function csvHref(filters: WorklistFilters): string {
  const params = new URLSearchParams(Object.entries(worklistFilterQuery(filters)));
  const query = params.toString();
  return query ? `/v1/billing/records.csv?${query}` : "/v1/billing/records.csv";
}

/** Only ready records can be claimed; the selection keeps no record that is not ready on the current page. */
export function selectable(records: readonly { recordId: string; status: string }[]): string[] {
  return records.filter((r) => r.status === "ready").map((r) => r.recordId);
}
