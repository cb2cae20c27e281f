// Loads a dipcap report.html in headless Chromium and checks what a reader would see:
// the page loads with no failed and no external requests and no script errors; the bottom
// line is the first text after the title and quotes the largest effect; the headline table
// is there; every chart is drawn at a readable size; nothing overflows a 800 px window; and
// printed on A4 the report takes at most 14 pages, no page but the last has an empty lower
// half, and no chart text is smaller than 8 pt on paper (Letter is printed and measured too). Writes screenshots at 1400 and
// 800 px, the A4 and Letter PDFs, and PNGs of two A4 pages for a human to look at.
//
//   node check-report.mjs REPORT_HTML OUT_DIR EXPECTED_CHARTS LARGEST_EFFECT_TEXT
//
// Prints one JSON object; exits 1 with the problems listed when a check fails.
import { chromium } from "playwright-core";
import { pathToFileURL } from "node:url";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const [report, outDir, expected, largest] = process.argv.slice(2);
if (!report || !outDir || !expected || !largest) {
  console.error("usage: node check-report.mjs REPORT_HTML OUT_DIR EXPECTED_CHARTS LARGEST_EFFECT_TEXT");
  process.exit(2);
}
fs.mkdirSync(outDir, { recursive: true });
const MAX_A4_PAGES = 14;
const MIN_PT = 8;

// Reads a binary greyscale PGM (P5) as written by pdftoppm -gray.
function readPgm(file) {
  const b = fs.readFileSync(file);
  let pos = 0;
  const token = () => {
    while (b[pos] === 0x23 || b[pos] <= 0x20) {
      if (b[pos] === 0x23) while (b[pos] !== 0x0a) pos++;
      else pos++;
    }
    let s = "";
    while (b[pos] > 0x20) s += String.fromCharCode(b[pos++]);
    return s;
  };
  if (token() !== "P5") throw new Error(`${file} is not a binary PGM`);
  const w = Number(token()), h = Number(token());
  token();
  pos++;
  return { w, h, px: b.subarray(pos, pos + w * h) };
}

// Share of non-white pixels in rows [from, to) (fractions of the page height).
function ink(page, from, to) {
  let dark = 0, all = 0;
  for (let y = Math.floor(page.h * from); y < Math.floor(page.h * to); y++) {
    for (let x = 0; x < page.w; x++) {
      all++;
      if (page.px[y * page.w + x] < 200) dark++;
    }
  }
  return dark / all;
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
    const h1 = document.querySelector("h1");
    // The first element after the title that holds text.
    let next = h1 ? h1.nextElementSibling : null;
    while (next && !next.textContent.trim()) next = next.nextElementSibling;
    const items = [...document.querySelectorAll("#summary li")].map((li) => li.textContent);
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
      afterTitle: next ? { id: next.id, text: next.textContent } : null,
      summaryItems: items,
      figures,
      tableRows: rows,
      height: document.documentElement.scrollHeight,
    };
  });

  if (!facts.title.includes("diplomatic capacity")) problems.push(`unexpected title: ${facts.title}`);
  if (!facts.afterTitle || facts.afterTitle.id !== "bottom-line")
    problems.push(`the first text after the title is not the bottom line: ${JSON.stringify(facts.afterTitle)}`);
  else if (!facts.afterTitle.text.includes(largest))
    problems.push(`the bottom line does not quote the largest effect "${largest}": ${facts.afterTitle.text}`);
  if (facts.summaryItems.length === 0) problems.push("the summary has no findings");
  if (facts.tableRows === 0) problems.push("the headline table is empty");
  if (facts.figures.length !== Number(expected))
    problems.push(`expected ${expected} charts, found ${facts.figures.length}`);
  for (const f of facts.figures) {
    if (f.width < 600 || f.height < 300) problems.push(`${f.id} is drawn ${f.width}x${f.height} px`);
    if (f.texts < 5) problems.push(`${f.id} has ${f.texts} text elements (title, axes, stamp missing?)`);
    if (f.shapes < 5) problems.push(`${f.id} has ${f.shapes} shapes (nothing plotted?)`);
    if (f.caption.length < 80) problems.push(`${f.id} has no caption that explains it`);
  }
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.screenshot({ path: path.join(outDir, "screen-1400.png"), fullPage: true });

  // At 800 px (a narrow window, a tablet) nothing may stick out sideways.
  await page.setViewportSize({ width: 800, height: 900 });
  const narrow = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
    wide: [...document.querySelectorAll("main *")]
      .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
      .filter((e) => !e.closest(".table-wrap"))
      .slice(0, 5)
      .map((e) => e.tagName + (e.id ? "#" + e.id : "")),
  }));
  if (narrow.scroll > narrow.client || narrow.wide.length > 0)
    problems.push(`at 800 px the page is ${narrow.scroll} px wide; sticking out: ${narrow.wide.join(", ")}`);
  await page.screenshot({ path: path.join(outDir, "screen-800.png"), fullPage: true });

  // On paper: the smallest chart text, from each text's font size and the SVG's printed scale.
  await page.emulateMedia({ media: "print" });
  const smallest = await page.evaluate(() => {
    let min = { pt: Infinity, chart: "", text: "" };
    for (const svg of document.querySelectorAll("figure.chart svg")) {
      const vb = svg.viewBox.baseVal;
      const scale = svg.getBoundingClientRect().width / (vb && vb.width ? vb.width : svg.width.baseVal.value);
      for (const t of svg.querySelectorAll("text")) {
        const px = parseFloat(getComputedStyle(t).fontSize) * scale;
        const pt = px * 0.75; // CSS px are 1/96 in, points 1/72 in
        if (pt < min.pt) min = { pt, chart: svg.closest("figure").id, text: t.textContent.slice(0, 40) };
      }
    }
    return min;
  });
  if (!(smallest.pt >= MIN_PT))
    problems.push(`printed chart text is ${smallest.pt.toFixed(2)} pt in ${smallest.chart} ("${smallest.text}"), under ${MIN_PT} pt`);
  await page.emulateMedia({ media: null });

  const a4 = path.join(outDir, "report-a4.pdf");
  const letter = path.join(outDir, "report-letter.pdf");
  await page.pdf({ path: a4, format: "A4" });
  await page.pdf({ path: letter, format: "Letter" });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "dipcap-pdf-"));
  const pages = (pdf, prefix) => {
    execFileSync("pdftoppm", ["-gray", "-r", "24", pdf, path.join(tmp, prefix)]);
    return fs.readdirSync(tmp).filter((f) => f.startsWith(prefix)).sort().map((f) => readPgm(path.join(tmp, f)));
  };
  const a4Pages = pages(a4, "a4");
  const letterPages = pages(letter, "letter");
  if (a4Pages.length > MAX_A4_PAGES) problems.push(`the report prints to ${a4Pages.length} A4 pages, more than ${MAX_A4_PAGES}`);
  // The footer (stamp, page number) sits in the bottom 14 mm of 297: look above it.
  const halfBlank = (ps) =>
    ps.map((p, i) => ({ i: i + 1, ink: ink(p, 0.5, 0.94) })).filter((p, i) => i + 1 < ps.length && p.ink < 0.002).map((p) => p.i);
  const blankA4 = halfBlank(a4Pages);
  if (blankA4.length > 0) problems.push(`A4 pages with an empty lower half: ${blankA4.join(", ")}`);
  execFileSync("pdftoppm", ["-png", "-r", "60", "-f", "1", "-l", "2", a4, path.join(outDir, "a4-page")]);
  fs.rmSync(tmp, { recursive: true, force: true });

  console.log(
    JSON.stringify({
      ok: problems.length === 0,
      problems,
      charts: facts.figures.length,
      summaryItems: facts.summaryItems.length,
      tableRows: facts.tableRows,
      requests: requests.length,
      pageHeight: facts.height,
      a4Pages: a4Pages.length,
      a4HalfBlank: blankA4,
      letterPages: letterPages.length,
      letterHalfBlank: halfBlank(letterPages),
      smallestChartTextPt: Number(smallest.pt.toFixed(2)),
      width800: narrow.scroll,
    }),
  );
} finally {
  await browser.close();
}
process.exit(problems.length === 0 ? 0 : 1);
