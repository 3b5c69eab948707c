// An API error becomes an ApiFailure with its code, detail and the fields it names; a 2xx body comes back as is.
import { describe, expect, it } from "vitest";
import { ApiFailure, csrfToken, unwrap } from "./client";

const answer = (status: number, body: { data?: unknown; error?: unknown }) => Promise.resolve({ ...body, response: new Response(null, { status }) });

describe("unwrap", () => {
  it("returns the body of a 2xx answer", async () => {
    await expect(unwrap(answer(200, { data: { ok: 1 } }))).resolves.toEqual({ ok: 1 });
  });

  it("keeps the error code, detail and each field named", async () => {
    const failure = await unwrap(
      answer(422, { error: { error: "invalid_argument", detail: "minutes: must be at least 1", errors: [{ field: "minutes", message: "must be at least 1" }, { bogus: 1 }] } }),
    ).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApiFailure);
    const f = failure as ApiFailure;
    expect([f.status, f.code, f.message]).toEqual([422, "invalid_argument", "minutes: must be at least 1"]);
    expect(f.fields).toEqual([{ field: "minutes", message: "must be at least 1" }]);
  });

  it("makes a network failure status 0 (shown as an outage) and reads the CSRF cookie", async () => {
    const failure = (await unwrap(Promise.reject(new TypeError("Failed to fetch"))).catch((e: unknown) => e)) as ApiFailure;
    expect([failure.status, failure.code, failure.fields]).toEqual([0, "network", []]);
    expect(csrfToken("a=1; momentum_csrf=x%2By; b=2")).toBe("x+y");
  });
});
