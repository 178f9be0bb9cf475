// Actions as people use them, with plain forms and no JavaScript: turn a
// review recommendation into an action, see it on the overdue list, move it
// through its statuses, verify it and see it leave the overdue list. Plus
// the quality bars of UI.md on every action page (axe-core, the Nu HTML
// Checker, screenshots on a desktop and a phone).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launchBrowser, axeProblems, htmlErrors, screenshot } from "./helpers.js";

let server, browser;
let peopleAdded = false;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.stop();
});

async function api(path, body) {
  const res = await server.fetch(`/api/v1${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-debrief-actor": "Sam Okafor" },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  assert.ok(res.status < 300, `${path} → ${res.status}: ${text}`);
  return JSON.parse(text);
}

/** An incident whose review has a recommendation, and two people. */
async function setUp() {
  const incident = await api("/incidents", { title: "Helpdesk export of customer records", category: "data_breach", severity: "high" });
  await api(`/incidents/${incident.key}/review`, {});
  await api(`/incidents/${incident.key}/review/changes`, {
    change: "add_item",
    item: { section: "recommendation", text: "Limit helpdesk exports to team leads and alert on large exports" },
  });
  if (!peopleAdded) {
    await api("/people", { name: "Lena Fischer", email: "lena.fischer@example.org", team: "Security operations" });
    await api("/people", { name: "Sam Okafor", email: "sam.okafor@example.org", team: "Service desk" });
    peopleAdded = true;
  }
  return incident.key;
}

test("an action made from a recommendation goes from overdue to verified", async () => {
  const key = await setUp();
  const context = await server.newContext(browser, { viewport: { width: 1366, height: 768 }, timezoneId: "UTC", javaScriptEnabled: false });
  const page = await context.newPage();

  await page.goto(`${server.url}/incidents/${key}/review`);
  await page.getByRole("link", { name: /Create an action from recommendation/ }).click();
  await page.waitForURL(/\/actions\?answers=recommendation/);
  const form = page.locator("form#new-action");
  assert.equal(await form.getByLabel("Title").inputValue(), "Limit helpdesk exports to team leads and alert on large exports");
  const answers = await form.getByLabel(/^Answers/).evaluate((s) => [...s.selectedOptions].map((o) => o.textContent));
  assert.deepEqual(answers, ["Recommendation: Limit helpdesk exports to team leads and alert on large exports"]);

  // A due date long past: accepted, and the action says it is overdue.
  await form.getByLabel("Type").selectOption("detect");
  await form.getByLabel("Owner").selectOption("lena.fischer@example.org");
  await form.getByLabel("Due date").fill("2026-01-30");
  await form.getByLabel("Risk").selectOption("4");
  await form.getByLabel(/^Impact/).selectOption("4");
  await form.getByLabel("Effort").selectOption("2");
  await form.getByRole("button", { name: "Create action" }).click();
  await page.waitForURL(new RegExp(`/actions/${key}-A1\\?created_past=1`));
  assert.match(await page.locator(".notice").innerText(), /due date is already past/);
  assert.match(await page.locator(".warning").first().innerText(), /Overdue by \d+ days/);
  assert.match(await page.locator("h1").innerText(), /Limit helpdesk exports/);
  assert.match(await page.getByRole("heading", { name: "Priority" }).locator("..").innerText(), /Risk 4 × impact 4 ÷ effort 2 = 8\.00/);
  await screenshot(page, "action-desktop");

  await page.goto(`${server.url}/actions?overdue=true`);
  assert.ok(await page.getByRole("link", { name: "Limit helpdesk exports to team leads and alert on large exports" }).isVisible());

  // Through the workflow: start, done, verify.
  await page.goto(`${server.url}/actions/${key}-A1`);
  await page.getByRole("button", { name: "Start work" }).click();
  await page.waitForURL(/moved=1/);
  assert.match(await page.locator("h2#workflow-h").innerText(), /In progress/);
  await page.getByRole("button", { name: "Mark done" }).click();
  await page.waitForURL(/moved=1/);
  const verify = page.locator("form#verify");
  await verify.getByLabel("Evidence").fill("An export of 5,000 rows raised an alert in the drill of 24 November");
  await verify.getByRole("button", { name: "Record verification" }).click();
  await page.waitForURL(/verified=1/);
  assert.match(await page.locator(".notice").first().innerText(), /Verification recorded/);
  assert.match(await page.locator("#workflow").innerText(), /Verified on .* An export of 5,000 rows/);
  const history = await page.locator("ul.history li").allInnerTexts();
  assert.equal(history.length, 4);
  assert.match(history[0], /Verified/);

  await page.goto(`${server.url}/actions?overdue=true`);
  assert.equal(await page.getByRole("link", { name: "Limit helpdesk exports to team leads and alert on large exports" }).count(), 0);
  assert.match(await page.locator("main").innerText(), /No action matches these filters/);

  // A follow-up, and the burn-down on the incident's Actions tab.
  await page.goto(`${server.url}/incidents/${key}/actions`);
  await page.locator("form#follow-up").getByLabel(/Note of the session/).fill("First follow-up");
  await page.getByRole("button", { name: "Record follow-up" }).click();
  await page.waitForURL(/followed=1/);
  assert.match(await page.locator("#follow-ups").innerText(), /1 verified/);
  assert.equal(await page.locator("#follow-ups svg[role=img]").count(), 1);
  await context.close();
});

test("a bad action form shows each problem beside its field", async () => {
  const key = (await api("/incidents", { title: "Phishing wave", category: "phishing", severity: "medium" })).key;
  const context = await server.newContext(browser, { javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${server.url}/incidents/${key}/actions`);
  const form = page.locator("form#new-action");
  await form.getByLabel("Title").fill("Phishing training");
  await form.getByRole("button", { name: "Create action" }).click();
  const summary = page.locator("#error-summary");
  assert.match(await summary.innerText(), /Not saved/);
  assert.match(await summary.innerText(), /`Phishing` is not a verb/);
  assert.equal(await form.getByLabel("Title").getAttribute("aria-invalid"), "true");
  assert.equal(await form.getByLabel("Owner").getAttribute("aria-invalid"), "true");
  // The error summary links move focus to the field.
  await summary.getByRole("link").first().click();
  await context.close();
});

test("the action pages pass axe-core and the Nu HTML Checker on a desktop and a phone", async () => {
  const key = await setUp();
  const recommendations = await (await server.fetch(`/api/v1/incidents/${key}/review`)).json();
  const recommendation = recommendations.recommendations[0].id;
  await api(`/incidents/${key}/actions`, {
    title: "Add alerting on large exports", type: "detect", owner: "sam.okafor@example.org", due_on: "2026-01-01",
    risk: 4, impact: 4, effort: 2, answers: [`recommendation:${recommendation}`], ticket: "HD-77",
  });
  await api(`/incidents/${key}/actions`, {
    title: "Document the export policy", type: "documentation", owner: "lena.fischer@example.org",
    risk: 1, impact: 2, effort: 5, priority_override: "P1", override_justification: "The regulator asked for it",
  });
  await api(`/incidents/${key}/follow-ups`, { note: "kick-off" });
  const paths = [`/actions`, `/incidents/${key}/actions`, `/actions/${key}-A1`, `/actions/${key}-A2`, `/settings/people`];
  const pages = [];
  for (const [name, viewport] of [["desktop", { width: 1366, height: 768 }], ["phone", { width: 390, height: 844 }]]) {
    const context = await server.newContext(browser, { viewport, timezoneId: "UTC" });
    const page = await context.newPage();
    for (const path of paths) {
      const res = await page.goto(`${server.url}${path}`);
      assert.equal(res.status(), 200, path);
      assert.deepEqual(await axeProblems(page), [], `axe on ${path} (${name})`);
      if (name === "desktop") pages.push({ name: path, html: await page.content() });
    }
    await page.goto(`${server.url}/incidents/${key}/actions`);
    await screenshot(page, `actions-tab-${name}`);
    await page.goto(`${server.url}/actions`);
    await screenshot(page, `actions-portfolio-${name}`);
    await context.close();
  }
  assert.deepEqual(htmlErrors(pages), []);
});
