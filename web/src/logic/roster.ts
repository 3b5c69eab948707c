// The roster's query and figures: what the page sends and how a percentage reads.
export interface RosterFilters {
  search: string;
  assignedToMe: boolean;
  hasAlerts: boolean;
}

export interface RosterQuery {
  limit: number;
  cursor?: string;
  search?: string;
  assignedToMe?: boolean;
  hasAlerts?: boolean;
}

/** Only the parameters that narrow the page are sent: the route refuses unknown ones and defaults the rest. */
export function rosterQuery(filters: RosterFilters, cursor: string | null, limit = 50): RosterQuery {
  const query: RosterQuery = { limit };
  if (cursor) query.cursor = cursor;
  if (filters.search) query.search = filters.search;
  if (filters.assignedToMe) query.assignedToMe = true;
  if (filters.hasAlerts) query.hasAlerts = true;
  return query;
}

export function formatPercent(value: number | null | undefined, none: string): string {
  return value === null || value === undefined ? none : `${Math.round(value)}%`;
}
