// The typed API client: paths and bodies come from the gateway's /openapi.json (src/api/schema.d.ts).
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];
export type Workout = Schemas["WorkoutReply"];
export type Streak = Schemas["StreakReply"];
export type CalendarDay = Schemas["CalendarDayReply"];
export type Progress = Schemas["ProgressReply"];
export type SessionPain = Schemas["SessionPainReply"];

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** The CSRF cookie's value (double submit); the session cookie itself is HttpOnly and never visible here. */
export function csrfToken(cookie: string): string {
  for (const part of cookie.split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name === "momentum_csrf") return decodeURIComponent(rest.join("="));
  }
  return "";
}

const csrf: Middleware = {
  onRequest({ request }) {
    if (UNSAFE.has(request.method)) request.headers.set("X-CSRF-Token", csrfToken(document.cookie));
    return request;
  },
};

export const api = createClient<paths>({ baseUrl: "", credentials: "same-origin" });
api.use(csrf);

export interface FieldProblem {
  field: string;
  message: string;
}

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
    /** Each field a 4xx names (the error body's `errors`), so a form can say which input is wrong. */
    readonly fields: FieldProblem[] = [],
  ) {
    super(detail);
  }
}

interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

function fieldProblems(errors: unknown): FieldProblem[] {
  if (!Array.isArray(errors)) return [];
  return errors.flatMap((e: unknown) =>
    typeof e === "object" && e !== null && "field" in e && "message" in e ? [{ field: String(e.field), message: String(e.message) }] : [],
  );
}

function errorBody(error: unknown): { error: string; detail: string; fields: FieldProblem[] } {
  if (typeof error === "object" && error !== null && "error" in error && "detail" in error) {
    return { error: String(error.error), detail: String(error.detail), fields: "errors" in error ? fieldProblems(error.errors) : [] };
  }
  return { error: "http_error", detail: "", fields: [] };
}

/** The body of a 2xx answer, or an ApiFailure carrying the API's error code and detail. */
export async function unwrap<T>(call: Promise<Answer<T>>): Promise<T> {
  let answer: Answer<T>;
  try {
    answer = await call;
  } catch {
    throw new ApiFailure(0, "network", "");
  }
  if (answer.data !== undefined && answer.response.ok) return answer.data;
  const body = errorBody(answer.error);
  throw new ApiFailure(answer.response.status, body.error, body.detail, body.fields);
}

/** Ends the cookie session. Not in /openapi.json: the gateway's browser-session layer answers it in front of
 * the API (no body either way, 204), so plain fetch with the CSRF header is the whole call. */
export async function signOut(): Promise<void> {
  await fetch("/v1/session/signout", {
    method: "POST",
    credentials: "same-origin",
    headers: { "X-CSRF-Token": csrfToken(document.cookie) },
  });
}
