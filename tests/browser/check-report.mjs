// Loads a dipcap report.html in headless Chromium and checks what a reader would see:
// the page loads with no failed and no external requests and no script errors, the executive
// summary and the headline table are there, and every chart is drawn at a readable size.
// Takes a full-page screenshot for a human to look at.
//
//   node check-report.mjs REPORT_HTML SCREENSHOT_PNG EXPECTED_CHARTS
//
// Prints one JSON object; exits 1 with the problems listed when a check fails.
import { chromium } from "playwright-core";
import { pathToFileURL } from "node:url";
import path from "node:path";

const [report, screenshot, expected] = process.argv.slice(2);
if (!report || !screenshot || !expected) {
  console.error("usage: node check-report.mjs REPORT_HTML SCREENSHOT_PNG EXPECTED_CHARTS");
  process.exit(2);
}
const url = pathToFileURL(path.resolve(report)).href;
const problems = [];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  // Without the background-networking flags Chromium tries to reach Google's services,
  // which a closed network refuses; they have nothing to do with the page.
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const requests = [];
  page.on("request", (r) => requests.push(r.url()));
  page.on("requestfailed", (r) =>
    problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`),
  );
  page.on("pageerror", (e) => problems.push(`script error: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console error: ${m.text()}`);
  });
  const response = await page.goto(url, { waitUntil: "load" });
  if (!response || !response.ok()) problems.push(`report did not load: ${response?.status()}`);
  for (const r of requests) {
    if (r !== url && !r.startsWith("data:")) problems.push(`external request: ${r}`);
  }

  const facts = await page.evaluate(() => {
    const summary = document.querySelector("#summary");
    const items = summary ? [...summary.querySelectorAll("li")].map((li) => li.textContent) : [];
    const figures = [...document.querySelectorAll("figure.chart")].map((f) => {
      const svg = f.querySelector("svg");
      const box = svg ? svg.getBoundingClientRect() : { width: 0, height: 0 };
      return {
        id: f.id,
        width: box.width,
        height: box.height,
        texts: svg ? svg.querySelectorAll("text").length : 0,
        shapes: svg ? svg.querySelectorAll("rect, polyline, polygon, path, circle, line").length : 0,
        caption: (f.querySelector("figcaption")?.textContent || "").trim(),
      };
    });
    const rows = document.querySelectorAll("#headline-table tbody tr").length;
    return {
      title: document.title,
      summaryItems: items,
      figures,
      tableRows: rows,
      height: document.documentElement.scrollHeight,
    };
  });

  if (!facts.title.includes("diplomatic capacity")) problems.push(`unexpected title: ${facts.title}`);
  if (facts.summaryItems.length === 0) problems.push("the executive summary has no findings");
  if (!facts.summaryItems.some((t) => t.includes("paired difference")))
    problems.push("no summary sentence quotes a paired difference");
  if (facts.tableRows === 0) problems.push("the headline table is empty");
  if (facts.figures.length !== Number(expected))
    problems.push(`expected ${expected} charts, found ${facts.figures.length}`);
  for (const f of facts.figures) {
    if (f.width < 600 || f.height < 300) problems.push(`${f.id} is drawn ${f.width}x${f.height} px`);
    if (f.texts < 5) problems.push(`${f.id} has ${f.texts} text elements (title, axes, stamp missing?)`);
    if (f.shapes < 5) problems.push(`${f.id} has ${f.shapes} shapes (nothing plotted?)`);
    if (f.caption.length < 80) problems.push(`${f.id} has no caption that explains it`);
  }
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(
    JSON.stringify({
      ok: problems.length === 0,
      problems,
      charts: facts.figures.length,
      summaryItems: facts.summaryItems.length,
      tableRows: facts.tableRows,
      requests: requests.length,
      pageHeight: facts.height,
    }),
  );
} finally {
  await browser.close();
}
process.exit(problems.length === 0 ? 0 : 1);
