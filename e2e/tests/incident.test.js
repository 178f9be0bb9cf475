// What a person does: open an incident through the form, add an event to its
// timeline, and find both on the incident page; plus the quality bars of
// UI.md (axe-core, valid HTML, keyboard, screenshots) on every page.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launchBrowser, axeProblems, htmlErrors, screenshot } from "./helpers.js";

let server, browser;

before(async () => {
  server = await startServer({ demo: true });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.stop();
});

test("an incident created through the form gets a timeline event and shows both", async () => {
  const context = await server.newContext(browser, { viewport: { width: 1366, height: 768 }, timezoneId: "Europe/Berlin" });
  const page = await context.newPage();
  // app.js tells the server the browser's zone (a cookie) and reloads once.
  await page.goto(`${server.url}/incidents`);
  await page.waitForFunction(() => document.documentElement.dataset.zone === "Europe/Berlin");
  await page.goto(`${server.url}/incidents/new`);
  await page.getByLabel("Title").fill("VPN credentials sold on a forum");
  await page.getByLabel("Category").selectOption("unauthorised_access");
  await page.getByLabel("Severity").selectOption("high");
  await page.getByLabel(/^Affected services/).fill("VPN, Identity provider");
  await page.getByLabel(/^Started/).fill("2026-11-20");
  await page.getByLabel(/^Detected/).fill("2026-11-24 09:15");
  await page.getByRole("button", { name: "Open incident" }).click();
  await page.waitForURL(/\/incidents\/INC-\d{4}-\d{4}$/);
  const key = page.url().split("/").pop();
  await assert.doesNotReject(page.getByRole("heading", { name: "VPN credentials sold on a forum" }).waitFor());
  // The browser's zone reached the server through the cookie set by app.js.
  const detected = page.locator(".phase-bar li").nth(1);
  assert.match(await detected.innerText(), /24 Nov 2026 09:15 CET/);

  await page.getByRole("link", { name: /^Timeline/ }).click();
  await page.getByLabel(/^When/).fill("2026-11-24 09:15");
  await page.getByLabel("Kind").first().selectOption("detection");
  await page.getByLabel(/^Actor/).first().fill("Threat intel feed");
  await page.getByLabel("What happened").fill("Listing of 40 VPN accounts found on a broker forum");
  await page.getByRole("checkbox", { name: /short chronology/ }).check();
  await page.getByRole("button", { name: "Add event" }).click();
  await page.waitForURL(/timeline\?added=1/);
  await assert.doesNotReject(page.getByText("Event added.").waitFor());
  await assert.doesNotReject(page.getByText("Listing of 40 VPN accounts found on a broker forum").waitFor());

  // Set the lifecycle from the event, then see it on the overview.
  const event = page.locator(".event").first();
  await event.getByRole("combobox").selectOption("acknowledged");
  await event.getByRole("button", { name: "Set" }).click();
  await assert.doesNotReject(page.getByText("Acknowledged time updated from the event.").waitFor());

  await page.getByRole("link", { name: "Overview" }).click();
  await assert.doesNotReject(page.getByRole("heading", { name: "VPN credentials sold on a forum" }).waitFor());
  await assert.doesNotReject(page.getByText("Listing of 40 VPN accounts found on a broker forum").waitFor());
  const ack = await page.locator(".phase-bar li").nth(3).innerText();
  assert.match(ack, /24 Nov 2026 09:15 CET/);
  await screenshot(page, "incident-overview-desktop");

  await page.goto(`${server.url}/incidents`);
  await assert.doesNotReject(page.getByRole("link", { name: key }).waitFor());
  await context.close();
});

test("a form with mistakes keeps the input and says beside each field what to fix", async () => {
  const page = await (await server.newContext(browser)).newPage();
  await page.goto(`${server.url}/incidents/new`);
  await page.getByLabel("Title").fill("Half-filled");
  await page.getByLabel(/^Started/).fill("2026-02-30");
  await page.getByRole("button", { name: "Open incident" }).click();
  await assert.doesNotReject(page.getByRole("heading", { name: /Please fix 3 problems/ }).waitFor());
  assert.equal(await page.getByLabel("Title").inputValue(), "Half-filled");
  assert.match(await page.locator("#f-timestamps-started-error").innerText(), /not a real date/);
  assert.equal(await page.locator("#f-timestamps-started").getAttribute("aria-invalid"), "true");
  await page.getByRole("link", { name: /Severity: choose a severity/ }).click();
  assert.equal(await page.evaluate(() => location.hash), "#f-severity");
  await page.close();
});

test("every page passes axe-core and the Nu HTML Checker", async () => {
  const page = await (await server.newContext(browser)).newPage();
  await page.goto(`${server.url}/incidents`);
  const key = await page.locator("tbody tr td a").first().innerText();
  const paths = [
    "/incidents",
    "/incidents?severity=critical&sort=severity",
    "/incidents/new",
    `/incidents/${key}`,
    `/incidents/${key}/timeline`,
    `/incidents/${key}/timeline?key_only=on`,
    `/incidents/${key}/edit`,
    "/incidents/INC-1999-0001",
  ];
  const pages = [];
  const problems = [];
  for (const path of paths) {
    const res = await page.goto(`${server.url}${path}`);
    pages.push({ name: path, html: await res.text() });
    for (const p of await axeProblems(page)) problems.push(`${path}: ${p}`);
  }
  // A form with errors is a page too.
  await page.goto(`${server.url}/incidents/new`);
  await page.getByRole("button", { name: "Open incident" }).click();
  pages.push({ name: "new-with-errors", html: await page.content() });
  for (const p of await axeProblems(page)) problems.push(`new with errors: ${p}`);
  assert.deepEqual(problems, [], problems.join("\n"));
  const invalid = htmlErrors(pages);
  assert.deepEqual(invalid, [], invalid.join("\n"));
  await page.close();
});

test("the keyboard reaches everything, starting with the skip link", async () => {
  const page = await (await server.newContext(browser)).newPage();
  await page.goto(`${server.url}/incidents`);
  await page.keyboard.press("Tab");
  const first = await page.evaluate(() => document.activeElement.textContent.trim());
  assert.equal(first, "Skip to content");
  await page.keyboard.press("Enter");
  assert.equal(await page.evaluate(() => document.activeElement.id), "main");
  // Tab past the "New incident" button into the filters; apply one by keyboard.
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.textContent.trim()), "New incident");
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.id), "q");
  await page.keyboard.type("ransomware");
  await page.keyboard.press("Enter");
  await page.waitForURL(/q=ransomware/);
  // The showcase's ransomware case, among the demo history's ransomware incidents.
  assert.equal(await page.getByRole("link", { name: "INC-2026-0001" }).count(), 1);
  await page.close();
});

test("the demo pages look right on a desktop and on a phone", async () => {
  for (const [name, viewport] of [["desktop", { width: 1366, height: 768 }], ["phone", { width: 390, height: 844 }]]) {
    const context = await server.newContext(browser, { viewport, timezoneId: "UTC" });
    const page = await context.newPage();
    await page.goto(`${server.url}/incidents`);
    assert.ok(await page.locator("tbody tr").count() >= 3, "the demo incidents are listed");
    await screenshot(page, `incidents-${name}`);
    // The showcase's first incident (the list also holds two years of history).
    await page.goto(`${server.url}/incidents/INC-2026-0001`);
    await screenshot(page, `incident-${name}`);
    await page.getByRole("link", { name: /^Timeline/ }).click();
    await screenshot(page, `timeline-${name}`);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= viewport.width + 1, `no horizontal scrolling on ${name} (${width}px)`);
    await context.close();
  }
});
