// Workshops as people run them, with plain forms: see when the review is
// due, plan a workshop and see the coverage warning before any invite
// exists, schedule it anyway, download the invite, run the meeting in the
// facilitation view (notes, a lesson, an action, attendance, the n/p keys),
// close it and read the minutes. Plus the quality bars of UI.md on every
// workshop page (axe-core, the Nu HTML Checker, screenshots on a desktop and
// a phone).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { startServer, launchBrowser, axeProblems, htmlErrors, screenshot } from "./helpers.js";

let server, browser;

before(async () => {
  // 10:30 in Paris on the day the workshop is due (closed Tuesday the 24th,
  // critical: three calendar days).
  server = await startServer({ env: { DEBRIEF_NOW: "2026-11-27T09:30:00Z" } });
  browser = await launchBrowser();
  await api("/people", { name: "Marta Nowak", email: "marta@example.org", team: "Risk office" });
  await api("/people", { name: "Priya Raman", email: "priya@example.org", team: "Security operations", phone: "+33 4 72 00 00 01" });
  await api("/people", { name: "Tomás Ortega", email: "tomas@example.org", team: "Infrastructure" });
});

after(async () => {
  await browser?.close();
  server?.stop();
});

async function api(path, body) {
  const res = await server.fetch(`/api/v1${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-debrief-actor": "Marta Nowak" },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  assert.ok(res.status < 300, `${path} → ${res.status}: ${text}`);
  return JSON.parse(text);
}

async function newIncident() {
  const incident = await api("/incidents", {
    title: "Ransomware encrypted the file servers", category: "ransomware", severity: "critical",
    responders: ["Priya Raman"], services: ["File servers"],
    timestamps: { detected: "2026-11-20T03:47+01:00", closed: "2026-11-24" },
  });
  await api(`/incidents/${incident.key}/timeline`, {
    at: "2026-11-20T04:05+01:00", kind: "decision", actor: "Priya Raman", text: "Isolate, do not power off", key: true,
  });
  return incident.key;
}

test("a workshop is checked, scheduled, invited and run in the facilitation view", async () => {
  const key = await newIncident();
  const context = await server.newContext(browser, { viewport: { width: 1366, height: 768 }, timezoneId: "Europe/Paris", javaScriptEnabled: false, acceptDownloads: true });
  const page = await context.newPage();

  await page.goto(`${server.url}/incidents/${key}`);
  assert.match(await page.locator("#review-due").innerText(), /Unscheduled.*Review due by 2026-11-27 \(3 calendar days after closure on 2026-11-24\)/s);
  await page.getByRole("link", { name: "Workshops →" }).click();
  await page.waitForURL(new RegExp(`/incidents/${key}/workshops$`));

  const form = page.locator("form#schedule");
  assert.match(await form.getByLabel("Agenda").inputValue(), /## Decisions\n- 2026-11-20 04:05\+01:00 — Priya Raman: Isolate, do not power off/);
  await form.getByLabel("Starts").fill("2026-11-27 10:00");
  await form.getByLabel("Time zone").fill("Europe/Paris");
  await form.getByLabel("Duration (minutes)").fill("60");
  await form.getByLabel("Place").fill("Lyon HQ, room Rhône");
  await form.getByLabel("Meeting link").fill("https://meet.example.org/inc");
  await form.getByLabel("Facilitator").selectOption("marta@example.org");
  await form.getByLabel("Attendee 1", { exact: true }).selectOption("priya@example.org");
  await form.getByLabel("Role of attendee 1").selectOption("responder");
  await form.getByLabel("Attendee 2", { exact: true }).selectOption("tomas@example.org");
  await form.getByLabel("Role of attendee 2").selectOption("it");

  // The check: the missing roles are named before anything is sent.
  await form.getByRole("button", { name: "Check coverage and facilitator" }).click();
  const warning = page.locator("#coverage-warning");
  assert.match(await warning.innerText(), /Missing roles: Management \(always\), Legal \(critical or high incidents\), Communications \(critical or high incidents\)/);
  assert.match(await page.locator("#facilitator-check").innerText(), /Marta Nowak is a neutral facilitator/);
  assert.equal((await (await server.fetch(`/api/v1/incidents/${key}/workshops`)).json()).length, 0, "a check saves nothing");
  await screenshot(page, "workshop-check-desktop");

  // Scheduling asks for the warnings to be acknowledged.
  await page.locator("form#schedule").getByRole("button", { name: "Schedule workshop" }).click();
  assert.match(await page.locator("#error-summary").innerText(), /Schedule anyway/);
  await page.locator("form#schedule").getByLabel(/Schedule anyway/).check();
  await page.locator("form#schedule").getByRole("button", { name: "Schedule workshop" }).click();
  await page.waitForURL(/\/workshops\/[0-9a-f-]+\?scheduled=1/);
  const id = page.url().match(/workshops\/([0-9a-f-]+)/)[1];
  assert.match(await page.locator(".notice").innerText(), /Workshop scheduled/);
  assert.match(await page.locator("#workshop-warnings").innerText(), /Missing stakeholders: Management/);

  // The invite.
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Invite (.ics)" }).click(),
  ]);
  assert.equal(download.suggestedFilename(), `${key}-lessons-learned-2026-11-27.ics`);
  const ics = readFileSync(await download.path(), "utf8");
  assert.ok(ics.startsWith("BEGIN:VCALENDAR\r\n"));
  assert.match(ics, /DTSTART;TZID=Europe\/Paris:20261127T100000\r\n/);
  const unfolded = ics.replace(/\r\n /g, "");
  assert.match(unfolded, /ATTENDEE;CN=Priya Raman;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION/);
  assert.match(ics, /METHOD:REQUEST\r\n/);
  await screenshot(page, "workshop-desktop");

  // The facilitation view: a note, the next item, a lesson, an action.
  await page.getByRole("link", { name: "Facilitate" }).click();
  await page.waitForURL(/\/facilitate$/);
  assert.match(await page.locator(".current-item h2").innerText(), /Chronology highlights/);
  const note = page.locator("form#note");
  await note.locator("textarea[name=text]").fill("The alert reached the on-call phone at 03:47; the bridge opened 18 minutes later.");
  await note.getByRole("button", { name: "Save note" }).click();
  await page.waitForURL(/noted=1/);
  assert.match(await page.locator(".current-item .items").innerText(), /bridge opened 18 minutes later/);
  await page.getByRole("link", { name: "Next item →" }).click();
  await page.waitForURL(/item=2/);
  assert.match(await page.locator(".current-item h2").innerText(), /Decisions/);
  await page.locator("form#note textarea[name=text]").fill("Isolating first stays the rule for ransomware.");
  await page.locator("form#note").getByLabel("A decision").check();
  await page.locator("form#note").getByRole("button", { name: "Save note" }).click();
  await page.waitForURL(/noted=1/);
  await page.getByText("Add a lesson").click();
  await page.locator("form#lesson").getByLabel("Lesson").fill("Isolation keeps the evidence that power-off destroys.");
  await page.locator("form#lesson").getByRole("button", { name: "Add lesson" }).click();
  await page.waitForURL(/lesson=1/);
  await page.getByText("Add an action").click();
  const action = page.locator("form#action");
  await action.getByLabel("Title").fill("Write the ransomware isolation runbook");
  await action.getByLabel("Type").selectOption("respond");
  await action.getByLabel("Owner").selectOption("tomas@example.org");
  await action.getByRole("button", { name: "Create action" }).click();
  await page.waitForURL(/action=1/);
  await page.getByText("Attendance", { exact: true }).click();
  await page.locator("form#attendance").getByLabel(/Priya Raman/).selectOption("attended");
  await page.locator("form#attendance").getByLabel(/Tomás Ortega/).selectOption("absent");
  await page.locator("form#attendance").getByRole("button", { name: "Save attendance" }).click();
  await page.waitForURL(/attendance=1/);
  await screenshot(page, "facilitate-desktop");

  // The last item closes the meeting.
  await page.goto(`${server.url}/workshops/${id}/facilitate?item=8`);
  await page.getByRole("button", { name: "Close: mark held" }).click();
  await page.waitForURL(/held=1/);
  await page.goto(`${server.url}/workshops/${id}/minutes`);
  const minutes = await page.locator("main").innerText();
  assert.match(minutes, /Attended\s+Priya Raman \(Responder\)/);
  assert.match(minutes, /Absent\s+Tomás Ortega \(IT\)/);
  assert.match(minutes, /Isolating first stays the rule for ransomware/);
  assert.match(minutes, /Isolation keeps the evidence/);
  assert.match(minutes, new RegExp(`${key}-A1 Write the ransomware isolation runbook`));
  await screenshot(page, "minutes-desktop");
  await page.goto(`${server.url}/incidents/${key}`);
  assert.match(await page.locator("#review-due").innerText(), /held on 2026-11-27, within policy/);
  await context.close();
});

test("n and p step through the agenda when JavaScript runs", async () => {
  const key = await newIncident();
  const saved = await api(`/incidents/${key}/workshops`, {
    starts: "2026-11-27 10:00", time_zone: "Europe/Paris", duration_minutes: 60, location: "Room 1", facilitator: "marta@example.org",
  });
  const context = await server.newContext(browser, { viewport: { width: 1366, height: 768 } });
  const page = await context.newPage();
  await page.goto(`${server.url}/workshops/${saved.workshop.id}/facilitate?item=1`);
  await page.keyboard.press("n");
  await page.waitForURL(/item=2/);
  await page.keyboard.press("n");
  await page.waitForURL(/item=3/);
  await page.keyboard.press("p");
  await page.waitForURL(/item=2/);
  // Typing in a field is typing, not navigating.
  await page.locator("form#note textarea").focus();
  await page.keyboard.type("no");
  assert.match(page.url(), /item=2/);
  await context.close();
});

test("the workshop pages pass axe-core and the Nu HTML Checker on a desktop and a phone", async () => {
  const key = await newIncident();
  const saved = await api(`/incidents/${key}/workshops`, {
    starts: "2026-11-27 10:00", time_zone: "Europe/Paris", duration_minutes: 60, location: "Room 1", facilitator: "priya@example.org",
    attendees: [{ person: "tomas@example.org", role: "it" }],
  });
  const id = saved.workshop.id;
  await api(`/workshops/${id}/changes`, { change: "add_note", item: 1, text: "The operator should have seen the alert." });
  await api("/holidays", { date: "2026-12-25", name: "Christmas Day" });
  const paths = [`/incidents/${key}/workshops`, `/workshops/${id}`, `/workshops/${id}/facilitate?item=1`, `/workshops/${id}/minutes`,
    "/settings/holidays", "/settings/workshop-policy", `/incidents/${key}`];
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
    // The check step with its warnings, and the pages as people see them.
    await page.goto(`${server.url}/incidents/${key}/workshops`);
    await page.locator("form#schedule").getByLabel("Starts").fill("2026-11-30 10:00");
    await page.locator("form#schedule").getByLabel("Place").fill("Room 2");
    await page.locator("form#schedule").getByLabel("Facilitator").selectOption("priya@example.org");
    await page.locator("form#schedule").getByRole("button", { name: "Check coverage and facilitator" }).click();
    await page.locator("#check").waitFor();
    assert.match(await page.locator("#facilitator-check").innerText(), /not a neutral facilitator/);
    assert.deepEqual(await axeProblems(page), [], `axe on the check step (${name})`);
    if (name === "desktop") pages.push({ name: "check-step", html: await page.content() });
    await screenshot(page, `workshops-tab-${name}`);
    await page.goto(`${server.url}/workshops/${id}`);
    await screenshot(page, `workshop-${name}`);
    await page.goto(`${server.url}/workshops/${id}/facilitate?item=1`);
    assert.match(await page.locator(".lint-findings").innerText(), /Blameless language/);
    await screenshot(page, `facilitate-${name}`);
    await page.goto(`${server.url}/settings/workshop-policy`);
    await screenshot(page, `workshop-policy-${name}`);
    await context.close();
  }
  assert.deepEqual(htmlErrors(pages), []);
});
