// Plans and training, "Did it work?" and the recurrence editor in the
// browser (PRODUCT.md §9), on the demo data: a manager registers a document
// and a contributor links a lesson to it without JavaScript; the lessons
// without a home are listed; the improvements page shows the counts behind
// every comparison; the review's recurrence answer names an earlier related
// incident and shows on the incident overview. axe-core and the Nu HTML
// Checker on every page, desktop and phone.
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

test("a manager registers a document and a contributor links a lesson to it, without JavaScript", async () => {
  const manager = await server.newContext(browser, { as: "manager", viewport: { width: 1366, height: 768 }, javaScriptEnabled: false });
  const page = await manager.newPage();
  await page.goto(`${server.url}/`);
  await page.getByRole("link", { name: "Plans & training" }).click();
  await page.waitForURL(/\/plans$/);
  await assert.doesNotReject(page.getByRole("rowheader", { name: /Ransomware playbook/ }).waitFor());
  const form = page.locator("#doc");
  await form.getByLabel(/^Title/).fill("Phishing response playbook");
  await form.getByLabel(/^Kind/).selectOption("playbook");
  await form.getByLabel(/^Owner/).fill("sam.okafor@example.org");
  await form.getByLabel(/^Version/).fill("1.0");
  await form.getByLabel(/^Link/).fill("ftp://files.example.org/phishing");
  await form.getByRole("button", { name: "Register document" }).click();
  assert.match(await page.locator("#doc-link-error").innerText(), /use an http:\/\/ or https:\/\/ address/);
  await page.locator("#doc-link").fill("https://intranet.example.org/playbooks/phishing");
  await page.locator("#doc").getByRole("button", { name: "Register document" }).click();
  await assert.doesNotReject(page.getByText("Document registered.").waitFor());
  await screenshot(page, "plans-desktop");
  await manager.close();

  const contributor = await server.newContext(browser, { as: "contributor", viewport: { width: 1366, height: 768 }, javaScriptEnabled: false });
  const review = await contributor.newPage();
  await review.goto(`${server.url}/incidents/INC-2026-0002/review`);
  const lessons = review.locator("#lessons");
  const item = lessons.locator("li.item").nth(1);
  await item.locator("summary", { hasText: "Link to a document" }).click();
  await item.getByLabel(/^Document/).selectOption({ label: "Phishing response playbook (v1.0)" });
  await item.getByLabel(/^Change the document needs/).fill("Add reporting look-alike sign-in pages to the triage steps");
  await item.getByRole("button", { name: "Save link" }).click();
  await review.waitForURL(/saved=lessons/);
  await assert.doesNotReject(lessons.getByText("Add reporting look-alike sign-in pages").waitFor());
  await contributor.close();
});

test("lessons without a home are listed oldest first and counted on the dashboard", async () => {
  const context = await server.newContext(browser, { viewport: { width: 1366, height: 768 } });
  const page = await context.newPage();
  await page.goto(`${server.url}/`);
  const card = page.locator("section", { has: page.getByRole("heading", { name: /Lessons without a home/ }) });
  await card.getByRole("link", { name: "See which" }).click();
  await page.waitForURL(/\/lessons\/unhomed$/);
  const rows = page.locator("tbody tr");
  assert.ok((await rows.count()) >= 3, "the demo leaves lessons without a home");
  const text = await page.locator("main").innerText();
  assert.match(text, /INC-2026-0001/, "the ransomware lessons with changes still needed");
  assert.match(text, /still needed/);
  await screenshot(page, "lessons-unhomed-desktop");
  await context.close();
});

test("did it work? shows each comparison with the counts behind it", async () => {
  const context = await server.newContext(browser, { viewport: { width: 1366, height: 768 } });
  const page = await context.newPage();
  await page.goto(`${server.url}/`);
  await page.getByRole("link", { name: "Did it work?" }).first().click();
  await page.waitForURL(/\/improvements/);
  await assert.doesNotReject(page.getByRole("heading", { level: 1, name: "Did it work?" }).waitFor());
  const text = await page.locator("main").innerText();
  assert.match(text, /Too few incidents to say: \d+ before and \d+ after/);
  await page.locator("#period").selectOption("365");
  await page.locator("#category").selectOption("ransomware");
  await page.locator("form.filters").getByRole("button", { name: "Show" }).click();
  await page.waitForURL(/period=365&category=ransomware/);
  assert.match(await page.locator("main").innerText(), /Ransomware/);
  await screenshot(page, "improvements-desktop");
  await context.close();
});

test("the recurrence editor names an earlier related incident and the overview shows it", async () => {
  const context = await server.newContext(browser, { viewport: { width: 1366, height: 768 }, javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${server.url}/incidents/INC-2026-0003/review`);
  const section = page.locator("#recurrence");
  await section.locator("summary").click();
  await section.getByLabel("Is this a recurrence?").selectOption("yes");
  await section.getByLabel(/^Other earlier incidents/).fill("INC-2026-0099");
  await section.getByRole("button", { name: "Save recurrence" }).click();
  assert.match(await page.locator("#set-recurrence-of-other-error").innerText(), /INC-2026-0099. is not an incident debrief knows/);
  await page.locator("#set-recurrence-of-other").fill("INC-2026-0001");
  await page.locator("#recurrence").getByLabel(/^Note/).fill("Shared credentials again");
  await page.locator("#recurrence").getByRole("button", { name: "Save recurrence" }).click();
  await page.waitForURL(/saved=recurrence/);
  assert.match(await page.locator("#recurrence").innerText(), /Yes, a recurrence: recurs INC-2026-0001/);
  await page.goto(`${server.url}/incidents/INC-2026-0003`);
  assert.match(await page.locator("#related").innerText(), /Recurrence: Yes, a recurrence — recurs INC-2026-0001/);
  await context.close();
});

test("the new pages pass axe-core and the Nu checker on desktop and phone", async () => {
  const pages = [];
  for (const [label, viewport] of [["desktop", { width: 1366, height: 768 }], ["phone", { width: 390, height: 844 }]]) {
    const context = await server.newContext(browser, { viewport, timezoneId: "UTC" });
    const page = await context.newPage();
    for (const [name, path] of [
      ["plans", "/plans"],
      ["unhomed", "/lessons/unhomed"],
      ["improvements", "/improvements"],
      ["review-policy", "/settings/review-policy"],
      ["review-links", "/incidents/INC-2026-0001/review"],
      ["overview", "/incidents/INC-2026-0003"],
    ]) {
      await page.goto(`${server.url}${path}`);
      await page.evaluate(() => document.querySelectorAll("details").forEach((d) => { d.open = true; }));
      assert.deepEqual(await axeProblems(page), [], `${name} on ${label}`);
      if (label === "phone") await screenshot(page, `${name}-phone`);
      if (label === "desktop") pages.push({ name, html: await page.content() });
    }
    await context.close();
  }
  assert.deepEqual(htmlErrors(pages), []);
});
