// The review as a facilitator fills it in during a meeting, with plain forms:
// give a name, open the review, write the summary, a root cause with its
// five whys, the four required phase assessments, a lesson and a cost,
// submit it and approve it. Plus the quality bars of UI.md (axe-core, valid
// HTML, screenshots on a desktop and a phone) on the review and rates pages.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launchBrowser, axeProblems, htmlErrors, screenshot } from "./helpers.js";

let server, browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.stop();
});

/** Opens an incident through the API; resolves to its key. */
async function createIncident(title) {
  const res = await server.fetch(`/api/v1/incidents`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      title,
      category: "ransomware",
      severity: "critical",
      services: ["File servers"],
      timestamps: { started: "2026-11-20T08:00Z", detected: "2026-11-20T11:12Z", contained: "2026-11-20T15:00Z" },
    }),
  });
  assert.equal(res.status, 201);
  return (await res.json()).key;
}

/** Posts a review form as the browser would (without following the redirect). */
/** Gives every lesson of the review a home ("no document change needed"),
 * as the review complete policy asks before approval. */
async function homeLessons(key) {
  const review = await (await server.fetch(`/api/v1/incidents/${key}/review`)).json();
  for (const lesson of review.lessons) {
    const res = await server.fetch(`/api/v1/incidents/${key}/lessons/${lesson.id}/links`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ change: "Covered by the existing runbook" }),
    });
    assert.equal(res.status, 201, await res.text());
  }
}

async function change(key, fields) {
  const res = await server.fetch(`/incidents/${key}/review`, {
    method: "POST",
    body: new URLSearchParams(fields),
    redirect: "manual",
    headers: { cookie: "name=Sam%20Okafor" },
  });
  assert.equal(res.status, 303, `${JSON.stringify(fields)} → ${res.status}: ${await res.text()}`);
}

/** A draft review with something in every section, so every form is on the page. */
async function filledDraft() {
  const key = await createIncident("Payroll export left on a public share");
  const open = await server.fetch(`/incidents/${key}/review/open`, { method: "POST", redirect: "manual" });
  assert.equal(open.status, 303);
  await change(key, [["op", "set_text"], ["section", "summary"], ["version", "0"], ["text", "A payroll export sat on a public share for nine days."]]);
  await change(key, [["op", "set_text"], ["section", "narrative"], ["version", "0"], ["text", "On 20 November a contractor noticed the share.\nThe export job had been copied from a test system."]]);
  const causes = [
    ["root_cause", "process", "Exports were never reviewed before a job went to production"],
    ["contributing_factor", "technology", "The share allowed anonymous listing"],
    ["trigger", "people", "A test job was copied to production with its settings"],
  ];
  for (const [kind, category, statement] of causes) {
    await change(key, [["op", "add_item"], ["section", "cause"], ["kind", kind], ["category", category], ["statement", statement],
      ["why_1", "Why was the export public?"], ["because_1", "The job wrote to the share every team can read"],
      ["why_2", "Why could the job write there?"], ["because_2", "Its service account had broad rights"]]);
  }
  for (const [phase, rating] of [["detection", "2"], ["containment", "4"], ["communication", "3"]]) {
    await change(key, [["op", "set_assessment"], ["phase", phase], ["version", "0"], ["rating", rating], ["went_well", "Quick escalation"], ["to_improve", "Alert on public shares"]]);
  }
  await change(key, [["op", "add_item"], ["section", "gap"], ["area", "procedure"], ["severity", "high"], ["description", "No review of new export jobs"]]);
  await change(key, [["op", "add_item"], ["section", "observation"], ["kind", "went_well"], ["text", "The contractor reported it at once"]]);
  await change(key, [["op", "add_item"], ["section", "observation"], ["kind", "lucky"], ["text", "No one outside downloaded the file"]]);
  await change(key, [["op", "add_item"], ["section", "lesson"], ["statement", "Every export job needs an owner and a review"], ["tags", "exports, data protection"]]);
  await change(key, [["op", "add_item"], ["section", "recommendation"], ["text", "Block anonymous listing on all shares"]]);
  await change(key, [["op", "add_item"], ["section", "financial"], ["category", "legal"], ["amount", "4200"], ["currency", "EUR"], ["certainty", "actual"], ["note", "Outside counsel"]]);
  await change(key, [["op", "add_item"], ["section", "financial"], ["category", "staff_time"], ["currency", "INR"], ["hours", "37.5"], ["hourly_rate", "1800"], ["certainty", "estimated"]]);
  await change(key, [["op", "set_impact_details"], ["version", "0"], ["records_affected", "1,204"], ["data_classes", "personal"], ["data_classes", "payment"], ["confidentiality", "on"],
    ["reputational", "minor"], ["overall", "distracting"], ["initial_estimate", "2000"], ["final_estimate", "9700"], ["estimate_currency", "EUR"]]);
  await change(key, [["op", "set_answer"], ["question_id", "precursors"], ["version", "0"], ["text", "New files on shares with anonymous access"]]);
  await change(key, [["op", "add_dissent"], ["text", "The trigger is not a people cause but a tooling one"]]);
  return key;
}

test("a facilitator fills in the review, submits it and approves it", async () => {
  const key = await createIncident("Ransomware on file servers");
  // Without JavaScript: the plain form posts are the path every user has;
  // report.test.js covers the in-place updates JavaScript adds.
  const context = await server.newContext(browser, { viewport: { width: 1366, height: 768 }, timezoneId: "UTC", acceptDownloads: true, javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${server.url}/incidents/${key}`);
  await page.getByRole("link", { name: "Review", exact: true }).click();
  await page.waitForURL(/\/review$/);
  await assert.doesNotReject(page.getByRole("heading", { name: "No review yet" }).waitFor());

  // Who is editing: the footer remembers the name.
  await page.getByLabel("Your name").fill("Priya Shah");
  await page.getByRole("button", { name: "Save name" }).click();
  await assert.doesNotReject(page.getByText("Editing as Priya Shah").waitFor());

  await page.getByRole("button", { name: "Open the review" }).click();
  await page.waitForURL(/saved=status/);
  assert.match(await page.locator("#status").innerText(), /Draft\s+Opened by Priya Shah/);

  // Summary.
  await page.getByRole("textbox", { name: /^Summary/ }).fill("Ransomware encrypted the file servers after a phished VPN account was used.");
  await page.getByRole("button", { name: "Save summary" }).click();
  await page.waitForURL(/saved=summary/);
  await assert.doesNotReject(page.locator("#summary").getByText("Saved.").waitFor());

  // A root cause with two steps of five whys (the add form is open while there are none).
  const cause = page.locator("#add-cause");
  await cause.getByLabel(/^Kind/).selectOption("root_cause");
  await cause.getByLabel(/^Category/).selectOption("technology");
  await cause.getByLabel(/^Cause/).fill("Backups shared credentials with production");
  const step1 = cause.getByRole("group", { name: "Step 1" });
  await step1.getByLabel("Why?").fill("Why could the attacker reach the backups?");
  await step1.getByLabel("Because").fill("The backup job used the domain admin account");
  const step2 = cause.getByRole("group", { name: "Step 2" });
  await step2.getByLabel("Why?").fill("Why did it use that account?");
  await step2.getByLabel("Because").fill("It was set up in a hurry and never revisited");
  await cause.getByRole("button", { name: "Add cause" }).click();
  await page.waitForURL(/saved=causes/);
  const causes = page.locator("#causes");
  await assert.doesNotReject(causes.locator("p.statement", { hasText: "Backups shared credentials with production" }).waitFor());
  assert.equal(await causes.locator("ol.whys li").count(), 2);

  // The four phase assessments approval needs.
  for (const [phase, rating, label] of [["detection", "2", "Save detection"], ["containment", "3", "Save containment"], ["eradication", "4", "Save eradication"], ["recovery", "4", "Save recovery"]]) {
    const form = page.locator(`#assess-${phase}`);
    await form.getByLabel("Rating").selectOption(rating);
    await form.getByLabel("What went well").fill(`The ${phase} team knew its runbook`);
    await form.getByRole("button", { name: label }).click();
    await page.waitForURL(/saved=assessments/);
    assert.equal(await page.locator(`#assess-${phase}-rating`).inputValue(), rating);
  }

  // A lesson.
  const lesson = page.locator("#add-lesson");
  await lesson.getByLabel(/^Lesson/).fill("Backups need credentials of their own");
  await lesson.getByLabel(/^Tags/).fill("backups, identity");
  await lesson.getByRole("button", { name: "Add lesson" }).click();
  await page.waitForURL(/saved=lessons/);
  await assert.doesNotReject(page.locator("#lessons").getByText("#backups").waitFor());

  // The review complete policy: the lesson gets a home, with the form beside it.
  const lessons = page.locator("#lessons");
  await lessons.locator("summary", { hasText: "Link to a document" }).first().click();
  await lessons.getByLabel(/^Document/).selectOption("");
  await lessons.getByLabel(/^Change the document needs/).fill("The backup runbook already separates these credentials");
  await lessons.getByRole("button", { name: "Save link" }).click();
  await page.waitForURL(/saved=lessons/);
  await assert.doesNotReject(lessons.getByText("No document change needed").first().waitFor());

  // A cost, first with too many decimals for the currency.
  const cost = page.locator("#add-financial");
  await cost.getByLabel(/^Category/).selectOption("response_and_recovery");
  await cost.getByLabel(/^Amount/).fill("1250.505");
  await cost.getByLabel(/^Currency/).fill("EUR");
  await cost.getByLabel(/^Certainty/).selectOption("actual");
  await cost.getByLabel(/^Note/).fill("Forensics retainer");
  await cost.getByRole("button", { name: "Add cost" }).click();
  await assert.doesNotReject(page.getByRole("heading", { name: /Not saved: please fix 1 problem in the new cost/ }).waitFor());
  assert.match(await page.locator("#add-financial-amount-error").innerText(), /has 3 decimal places, but EUR has 2/);
  assert.equal(await page.locator("#add-financial-note").inputValue(), "Forensics retainer");
  await page.locator("#add-financial-amount").fill("1250.50");
  await page.locator("#add-financial").getByRole("button", { name: "Add cost" }).click();
  await page.waitForURL(/saved=impact/);
  const impact = page.locator("#impact");
  await assert.doesNotReject(impact.getByRole("cell", { name: "1,250.50 EUR", exact: true }).waitFor());
  await assert.doesNotReject(impact.getByText("Total: 1,250.50 EUR").waitFor());

  // Submit for review, then approve.
  await page.getByRole("button", { name: "Submit for review" }).click();
  await page.waitForURL(/saved=status/);
  await assert.doesNotReject(page.locator("#status .badge").getByText("In review").waitFor());
  await page.getByLabel("Note for “Approve”").fill("Thorough work, thank you");
  await page.getByRole("button", { name: "Approve", exact: true }).click();
  // With JavaScript the page updates in place, so wait for the new status, not a URL.
  await page.locator("#status .badge").getByText("Approved").waitFor();
  const status = page.locator("#status");
  assert.match(await status.locator(".badge").innerText(), /Approved/);
  assert.match(await status.innerText(), /Approved by Priya Shah on \d+ \w+ 2026/);
  assert.match(await page.locator("#history").innerText(), /In review → Approved\s+Priya Shah/);
  assert.match(await page.locator("#history").innerText(), /Thorough work, thank you/);
  await assert.doesNotReject(page.getByRole("button", { name: "Reopen" }).waitFor());
  await screenshot(page, "review-approved-desktop");

  // The approved review's report downloads as Markdown and opens ready to print.
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.locator("#reports").getByRole("link", { name: "download Markdown" }).first().click(),
  ]);
  assert.match(download.suggestedFilename(), /^INC-\d{4}-\d{4}-post-incident-report\.md$/);
  const markdown = await (await import("node:fs/promises")).readFile(await download.path(), "utf8");
  assert.match(markdown, /Approved by Priya Shah/);
  await page.locator("#reports").getByRole("link", { name: "open to print" }).first().click();
  await assert.doesNotReject(page.getByRole("heading", { level: 1 }).first().waitFor());
  assert.match(await page.content(), /Thorough work, thank you|Approved/);
  await context.close();
});

test("the review and exchange-rate pages pass axe-core and the Nu HTML Checker", async () => {
  const key = await filledDraft();
  const unopened = await createIncident("Phishing wave");
  const page = await (await server.newContext(browser)).newPage();
  const pages = [];
  const problems = [];
  const check = async (name) => {
    pages.push({ name, html: await page.content() });
    for (const p of await axeProblems(page)) problems.push(`${name}: ${p}`);
  };
  await page.goto(`${server.url}/incidents/${key}/review`);
  // Every edit form unfolded, so axe sees them too.
  await page.evaluate(() => document.querySelectorAll("details").forEach((d) => { d.open = true; }));
  await check("review-draft");
  await page.goto(`${server.url}/incidents/${unopened}/review`);
  await check("review-unopened");

  // A failed form: the summary at the top links to the fields beside which the errors stand.
  await page.goto(`${server.url}/incidents/${key}/review`);
  const gap = page.locator("#add-gap");
  await page.locator("details.add", { has: gap }).locator("summary").click();
  await gap.getByRole("button", { name: "Add gap" }).click();
  await assert.doesNotReject(page.getByRole("heading", { name: /please fix 3 problems in the new gap/ }).waitFor());
  assert.ok(await page.locator("details.add", { has: page.locator("#add-gap") }).evaluate((d) => d.open), "the failed form is open");
  await page.getByRole("link", { name: /^Area: choose a/ }).click();
  assert.equal(await page.evaluate(() => location.hash), "#add-gap-area");
  await check("review-with-errors");

  // The exchange rates: record one, see it, use the page with a mistake.
  await page.goto(`${server.url}/incidents`);
  await page.getByRole("link", { name: "Settings" }).click();
  await page.waitForURL(/\/settings\/exchange-rates$/);
  await page.getByLabel(/^From/).fill("INR");
  await page.getByLabel(/^To/).fill("EUR");
  await page.getByLabel(/^Rate/).fill("0.0109");
  await page.getByLabel(/^Valid from/).fill("2026-11-01");
  await page.getByLabel(/^Source/).fill("ECB reference rate");
  await page.getByRole("button", { name: "Record rate" }).click();
  await assert.doesNotReject(page.getByText("Rate recorded.").waitFor());
  await assert.doesNotReject(page.getByRole("rowheader", { name: "INR → EUR" }).waitFor());
  await check("rates");
  await page.getByLabel(/^From/).fill("EUR");
  await page.getByLabel(/^To/).fill("EUR");
  await page.getByLabel(/^Rate/).fill("1");
  await page.getByLabel(/^Valid from/).fill("2026-11-01");
  await page.getByLabel(/^Source/).fill("");
  await page.getByRole("button", { name: "Record rate" }).click();
  assert.match(await page.locator("#rate-to-error").innerText(), /a rate from EUR to EUR is always 1/);
  await check("rates-with-errors");

  // With the INR rate recorded, the draft's total is complete.
  await page.goto(`${server.url}/incidents/${key}/review`);
  assert.match(await page.locator("#impact").innerText(), /Total: 4,935\.75 EUR/);
  assert.match(await page.locator("#impact").innerText(), /INR→EUR at 0\.0109 \(rate of 2026-11-01, ECB reference rate\)/);

  // Delete the rate: the button names it.
  await page.goto(`${server.url}/settings/exchange-rates`);
  await page.getByRole("button", { name: "Delete rate INR → EUR of 2026-11-01" }).click();
  await assert.doesNotReject(page.getByText("Rate deleted.").waitFor());
  await check("rates-empty");

  // The approved review shows its content read-only: valid and accessible too.
  for (const phase of ["eradication", "recovery"]) {
    await change(key, [["op", "set_assessment"], ["phase", phase], ["version", "0"], ["rating", "3"], ["went_well", ""], ["to_improve", "Document it"]]);
  }
  await change(key, [["op", "transition"], ["to", "in_review"]]);
  await homeLessons(key);
  await change(key, [["op", "transition"], ["to", "approved"], ["note", "Agreed in the meeting"]]);
  await page.goto(`${server.url}/incidents/${key}/review`);
  assert.match(await page.locator("#status").innerText(), /Approved by Sam Okafor/);
  assert.equal(await page.locator("#impact form, #causes form, #assessments form").count(), 0, "approved content is not offered for editing");
  await check("review-approved");

  assert.deepEqual(problems, [], problems.join("\n"));
  const invalid = htmlErrors(pages);
  assert.deepEqual(invalid, [], invalid.join("\n"));
  await page.close();
});

test("the review looks right on a desktop and on a phone", async () => {
  const key = await filledDraft();
  for (const [name, viewport] of [["desktop", { width: 1366, height: 768 }], ["phone", { width: 390, height: 844 }]]) {
    const context = await server.newContext(browser, { viewport, timezoneId: "UTC" });
    const page = await context.newPage();
    await page.goto(`${server.url}/incidents/${key}/review`);
    await assert.doesNotReject(page.getByRole("heading", { name: "Causes" }).waitFor());
    await screenshot(page, `review-${name}`);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= viewport.width + 1, `no horizontal scrolling on ${name} (${width}px)`);
    await context.close();
  }
  const context = await server.newContext(browser, { viewport: { width: 390, height: 844 }, timezoneId: "UTC" });
  const page = await context.newPage();
  await page.goto(`${server.url}/settings/exchange-rates`);
  await screenshot(page, "rates-phone");
  await context.close();
});
