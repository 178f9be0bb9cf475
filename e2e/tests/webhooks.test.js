// Settings → Webhooks as an admin uses it, with JavaScript off: add a
// subscription through the form (mistakes first), copy the secret shown
// once, send a test ping that a real receiver gets and verifies, pause,
// resume and delete. Plus the quality bars of UI.md (axe-core, valid HTML,
// screenshots on a desktop and a phone) on every state of the page.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { createHmac, timingSafeEqual } from "node:crypto";
import { startServer, launchBrowser, axeProblems, htmlErrors, screenshot } from "./helpers.js";

let server, browser, receiver;
const received = [];

/** A receiver on 127.0.0.1 that records each request; answers 200. */
function startReceiver() {
  return new Promise((ok) => {
    const http = createServer((req, res) => {
      let body = "";
      req.setEncoding("utf8");
      req.on("data", (c) => { body += c; });
      req.on("end", () => {
        received.push({ path: req.url, headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    http.listen(0, "127.0.0.1", () => ok({ url: `http://127.0.0.1:${http.address().port}`, close: () => http.close() }));
  });
}

/** The check docs/webhooks.md tells receivers to make. */
function signatureValid(secret, request) {
  const timestamp = request.headers["x-debrief-timestamp"];
  const expected = "sha256=" + createHmac("sha256", secret).update(`${timestamp}.${request.body}`).digest("hex");
  const given = request.headers["x-debrief-signature"] || "";
  return given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}

async function until(condition, what, ms = 20_000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`timed out waiting for ${what}`);
}

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  receiver = await startReceiver();
});

after(async () => {
  await browser?.close();
  server?.stop();
  receiver?.close();
});

test("a subscription is added, tested, paused, resumed and deleted without JavaScript", async () => {
  const context = await server.newContext(browser, { viewport: { width: 1366, height: 768 }, javaScriptEnabled: false });
  // Without JavaScript the zone comes from the footer form's cookie.
  await context.addCookies([{ name: "tz", value: "Europe/Berlin", url: server.url }]);
  const page = await context.newPage();
  // axe-core needs JavaScript: here the HTML of each state is kept for the
  // Nu checker; the next test runs axe-core on the same states.
  const pages = [];
  const check = async (name) => {
    pages.push({ name, html: await page.content() });
  };

  // Reached from the other settings pages.
  await page.goto(`${server.url}/settings/exchange-rates`);
  await page.getByRole("link", { name: "Webhooks" }).click();
  await page.waitForURL(/\/settings\/webhooks$/);
  await assert.doesNotReject(page.getByText("No subscriptions yet").waitFor());
  await check("empty");

  // Mistakes: a summary linking to each field, the error beside it.
  await page.getByLabel(/^Target URL/).fill("hooks.example.com/debrief");
  await page.getByLabel(/^Description/).fill("On-call bridge");
  await page.getByRole("button", { name: "Add subscription" }).click();
  await assert.doesNotReject(page.getByRole("heading", { name: "Not saved: please fix 2 problems" }).waitFor());
  assert.equal(await page.getByLabel(/^Target URL/).getAttribute("aria-invalid"), "true");
  assert.match(await page.locator("#webhook-url-error").innerText(), /not an absolute URL/);
  assert.match(await page.locator("#webhook-events-error").innerText(), /choose at least one event/);
  assert.equal(await page.getByLabel(/^Description/).inputValue(), "On-call bridge");
  await check("with errors");

  // Fixed: the secret is shown once, in a labelled field.
  await page.getByLabel(/^Target URL/).fill(`${receiver.url}/debrief`);
  await page.getByRole("checkbox", { name: /A post-incident review is approved/ }).check();
  await page.getByRole("checkbox", { name: /An action item becomes overdue/ }).check();
  await page.getByRole("button", { name: "Add subscription" }).click();
  const secretField = page.getByLabel(/copy it now/);
  await assert.doesNotReject(secretField.waitFor());
  const secret = await secretField.inputValue();
  assert.match(secret, /^[0-9a-f]{64}$/);
  await check("created");
  await screenshot(page, "webhooks-created-desktop");

  // A test ping: queued at once, delivered in the background, signed.
  await page.goto(`${server.url}/settings/webhooks`);
  assert.equal(await page.getByLabel(/copy it now/).count(), 0, "the secret is not shown again");
  await page.getByRole("button", { name: /^Send test/ }).click();
  await assert.doesNotReject(page.getByText("Test delivery queued").waitFor());
  await until(() => received.length >= 1, "the receiver to get the ping");
  assert.equal(received[0].path, "/debrief");
  assert.equal(received[0].headers["x-debrief-event"], "ping");
  assert.ok(signatureValid(secret, received[0]), "the signature verifies with the secret");
  await until(async () => {
    await page.goto(`${server.url}/settings/webhooks`);
    return (await page.locator("#log tbody tr").first().innerText()).includes("Delivered");
  }, "the log to say Delivered");
  const row = await page.locator("#log tbody tr").first().innerText();
  assert.match(row, /ping/);
  assert.match(row, /HTTP 204/);
  // Shown in the viewer's zone, named.
  assert.match(row, /\d{2}:\d{2}:\d{2} CE/);
  await check("with a delivery");

  await page.getByRole("button", { name: /^Pause/ }).click();
  await assert.doesNotReject(page.getByText("Subscription paused").waitFor());
  assert.equal(await page.getByRole("button", { name: /^Send test/ }).count(), 0);
  await page.getByRole("button", { name: /^Resume/ }).click();
  await assert.doesNotReject(page.getByText("Subscription resumed.").waitFor());

  // Delete asks once (a disclosure) and names what is lost.
  await page.getByText(/^Delete/).first().click();
  await assert.doesNotReject(page.getByText("This deletes the subscription and its delivery log").waitFor());
  await page.getByRole("button", { name: "Delete subscription and its log" }).click();
  await assert.doesNotReject(page.getByText("Subscription deleted with its delivery log.").waitFor());
  await assert.doesNotReject(page.getByText("No subscriptions yet").waitFor());

  const invalid = htmlErrors(pages);
  assert.deepEqual(invalid, [], invalid.join("\n"));
  await context.close();
});

test("every state of the page passes axe-core", async () => {
  const context = await server.newContext(browser, { viewport: { width: 1366, height: 768 }, timezoneId: "Europe/Berlin" });
  const page = await context.newPage();
  const problems = [];
  const check = async (name) => {
    for (const p of await axeProblems(page)) problems.push(`${name}: ${p}`);
  };
  await page.goto(`${server.url}/settings/webhooks`);
  await check("empty");
  await page.getByRole("button", { name: "Add subscription" }).click();
  await assert.doesNotReject(page.getByRole("heading", { name: /Not saved/ }).waitFor());
  await check("with errors");
  await page.getByLabel(/^Target URL/).fill(`${receiver.url}/axe`);
  await page.getByRole("checkbox", { name: /An action item is created/ }).check();
  await page.getByRole("button", { name: "Add subscription" }).click();
  await assert.doesNotReject(page.getByLabel(/copy it now/).waitFor());
  await check("created");
  await page.goto(`${server.url}/settings/webhooks`);
  await page.getByRole("button", { name: /^Send test/ }).click();
  await assert.doesNotReject(page.getByText("Test delivery queued").waitFor());
  await page.getByText(/^Delete/).first().click();
  await check("with a delivery and the delete disclosure open");
  await screenshot(page, "webhooks-desktop");
  assert.deepEqual(problems, [], problems.join("\n"));
  await context.close();
});

test("the webhooks page looks right on a phone", async () => {
  const res = await server.fetch(`/api/v1/webhooks`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ url: `${receiver.url}/phone`, events: ["action.created", "action.done"], description: "Ticketing bridge" }),
  });
  assert.equal(res.status, 201);
  const { id } = await res.json();
  assert.equal((await server.fetch(`/api/v1/webhooks/${id}/test`, { method: "POST" })).status, 202);
  const context = await server.newContext(browser, { viewport: { width: 390, height: 844 }, timezoneId: "UTC" });
  const page = await context.newPage();
  await page.goto(`${server.url}/settings/webhooks`);
  await assert.doesNotReject(page.getByText("Ticketing bridge").waitFor());
  const problems = await axeProblems(page);
  assert.deepEqual(problems, [], problems.join("\n"));
  await screenshot(page, "webhooks-phone");
  await context.close();
});
