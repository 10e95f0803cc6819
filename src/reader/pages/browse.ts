/** Browsing by time: the home page (latest, calendar), year, month and day pages, "on this day". */
import type { CatalogCount } from '../../search/index.js';
import { calendarOf, dateHref, LATEST_COUNT, onThisDayHref, type ReaderContext } from '../context.js';
import { html, type Html, type HtmlPart } from '../html.js';
import { articleList, page } from '../layout.js';

const WEEKDAYS = ['日', '一', '二', '三', '四', '五', '六'] as const;
const monthLabel = (month: number): string => `${month}月`;
const num = (n: number): string => n.toLocaleString('en-US');

/** Days in a month of the proleptic Gregorian calendar. */
export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Whether 'YYYY-MM-DD' is a real calendar date. */
export function isCalendarDate(year: number, month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

function yearCalendar(ctx: ReaderContext, years: readonly CatalogCount[], headingLevel: 2 | 3): Html {
  return html`<div class="calendar-years">${years.map((y) => {
    const months = calendarOf(ctx).months(y.name);
    const title = html`<a href="${dateHref(y.name)}">${y.name} 年</a> <span class="muted">（${num(y.count)} 篇）</span>`;
    return html`<section aria-label="${y.name} 年">${headingLevel === 2 ? html`<h2>${title}</h2>` : html`<h3>${title}</h3>`}
<ol class="months">${months.map((m) => html`<li><a href="${dateHref(m.name)}">${monthLabel(Number(m.name.slice(5, 7)))}</a> <span class="muted">${num(m.count)}</span></li>`)}</ol></section>`;
  })}</div>`;
}

export function homePage(ctx: ReaderContext): Html {
  const years = calendarOf(ctx).years;
  const latest = ctx.catalog.latest(LATEST_COUNT);
  const total = ctx.catalog.count();
  return page(
    ctx,
    {
      title: ctx.siteTitle,
      section: 'home',
      description: `${ctx.siteTitle}：${num(total)} 篇文章，可按日期、分類、標籤、作者瀏覽及全文搜尋。`,
    },
    html`
<h1>${ctx.siteTitle}</h1>
<p>${num(total)} 篇文章。按日期、<a href="/categories/">分類</a>、<a href="/tags/">標籤</a>或<a href="/authors/">作者</a>瀏覽，<a href="/search/">全文搜尋</a>，或以<a href="/lookup/">原網址查詢</a>文章。</p>
<section aria-labelledby="latest-heading">
<h2 id="latest-heading">最新文章</h2>
${articleList(latest, 3)}
</section>
<section aria-labelledby="calendar-heading">
<h2 id="calendar-heading">按日期瀏覽</h2>
${yearCalendar(ctx, years, 3)}
</section>`,
  );
}

export function yearPage(ctx: ReaderContext, year: number): Html | undefined {
  const y = String(year).padStart(4, '0');
  const calendar = calendarOf(ctx);
  const months = calendar.months(y);
  if (months.length === 0) return undefined;
  const years = calendar.years.map((c) => c.name);
  const at = years.indexOf(y);
  const total = months.reduce((n, m) => n + m.count, 0);
  return page(
    ctx,
    { title: `${y} 年`, section: 'date' },
    html`
<h1>${y} 年</h1>
<p>${num(total)} 篇文章。</p>
<ol class="counts">${months.map((m) => html`<li><a href="${dateHref(m.name)}">${y} 年 ${monthLabel(Number(m.name.slice(5, 7)))}</a> <span class="n">${num(m.count)} 篇</span></li>`)}</ol>
${adjacentNav('年份', at > 0 ? { href: dateHref(years[at - 1]!), label: `${years[at - 1]!} 年` } : undefined, at >= 0 && at < years.length - 1 ? { href: dateHref(years[at + 1]!), label: `${years[at + 1]!} 年` } : undefined)}`,
  );
}

export function monthPage(ctx: ReaderContext, year: number, month: number): Html | undefined {
  const y = String(year).padStart(4, '0');
  const m = String(month).padStart(2, '0');
  const calendar = calendarOf(ctx);
  const days = calendar.days(`${y}-${m}`);
  if (days.length === 0) return undefined;
  const byDay = new Map(days.map((d) => [Number(d.name.slice(8, 10)), d.count]));
  const first = new Date(Date.UTC(year, month - 1, 1)).getUTCDay();
  const length = daysInMonth(year, month);
  const cells: HtmlPart[] = [];
  for (let i = 0; i < first; i++) cells.push(html`<td></td>`);
  for (let d = 1; d <= length; d++) {
    const count = byDay.get(d);
    const date = `${y}-${m}-${String(d).padStart(2, '0')}`;
    cells.push(
      count === undefined
        ? html`<td>${d}</td>`
        : html`<td><a href="${dateHref(date)}">${d}<span class="visually-hidden">日，</span><span class="n">${count} 篇</span></a></td>`,
    );
  }
  while (cells.length % 7 !== 0) cells.push(html`<td></td>`);
  const rows: HtmlPart[] = [];
  for (let i = 0; i < cells.length; i += 7) rows.push(html`<tr>${cells.slice(i, i + 7)}</tr>`);
  const allMonths = calendar.years.flatMap((c) => calendar.months(c.name).map((x) => x.name));
  const at = allMonths.indexOf(`${y}-${m}`);
  const total = days.reduce((n, d) => n + d.count, 0);
  const label = (ym: string): string => `${ym.slice(0, 4)} 年 ${Number(ym.slice(5, 7))} 月`;
  return page(
    ctx,
    { title: `${y} 年 ${month} 月`, section: 'date' },
    html`
<p class="muted"><a href="${dateHref(y)}">${y} 年</a></p>
<h1>${y} 年 ${month} 月</h1>
<p>${num(total)} 篇文章，分佈於 ${days.length} 天。</p>
<table class="month">
<caption>${y} 年 ${month} 月各日文章數</caption>
<thead><tr>${WEEKDAYS.map((w) => html`<th scope="col">${w}</th>`)}</tr></thead>
<tbody>${rows}</tbody>
</table>
${adjacentNav('月份', at > 0 ? { href: dateHref(allMonths[at - 1]!), label: label(allMonths[at - 1]!) } : undefined, at >= 0 && at < allMonths.length - 1 ? { href: dateHref(allMonths[at + 1]!), label: label(allMonths[at + 1]!) } : undefined)}`,
  );
}

export function dayPage(ctx: ReaderContext, date: string): Html | undefined {
  const calendar = calendarOf(ctx);
  if (!calendar.has(date)) return undefined;
  const items = ctx.catalog.onDay(date);
  if (items.length === 0) return undefined;
  const [y, m, d] = date.split('-') as [string, string, string];
  const { previous, next } = calendar.adjacent(date);
  const total = items.reduce((n, i) => n + i.groupSize, 0);
  const weekday = WEEKDAYS[new Date(`${date}T00:00:00Z`).getUTCDay()];
  return page(
    ctx,
    { title: `${y} 年 ${Number(m)} 月 ${Number(d)} 日`, section: 'date' },
    html`
<p class="muted"><a href="${dateHref(y)}">${y} 年</a> › <a href="${dateHref(`${y}-${m}`)}">${Number(m)} 月</a></p>
<h1><time datetime="${date}">${y} 年 ${Number(m)} 月 ${Number(d)} 日</time>（星期${weekday}）</h1>
<p>${num(total)} 篇文章${total !== items.length ? `（${items.length} 則，其餘為同一報道的其他版本）` : ''}。<a href="${onThisDayHref(`${m}-${d}`)}">歷史上的 ${Number(m)} 月 ${Number(d)} 日</a></p>
${adjacentNav('日期', previous !== undefined ? { href: dateHref(previous), label: previous } : undefined, next !== undefined ? { href: dateHref(next), label: next } : undefined)}
${articleList(items, 2, false)}
${adjacentNav('日期（頁尾）', previous !== undefined ? { href: dateHref(previous), label: previous } : undefined, next !== undefined ? { href: dateHref(next), label: next } : undefined)}`,
  );
}

function adjacentNav(
  what: string,
  previous: { href: string; label: string } | undefined,
  next: { href: string; label: string } | undefined,
): HtmlPart {
  if (previous === undefined && next === undefined) return '';
  return html`<nav class="pager" aria-label="相鄰${what}">
${previous !== undefined ? html`<a href="${previous.href}" rel="prev">← ${previous.label}</a>` : html`<span></span>`}
${next !== undefined ? html`<a href="${next.href}" rel="next">${next.label} →</a>` : html`<span></span>`}
</nav>`;
}

/** Every 'MM-DD' of a leap year, in order (the on-this-day pages). */
export function allMonthDays(): string[] {
  const out: string[] = [];
  for (let m = 1; m <= 12; m++) {
    for (let d = 1; d <= daysInMonth(2000, m); d++)
      out.push(`${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);
  }
  return out;
}

export function onThisDayPage(ctx: ReaderContext, monthDay: string): Html {
  const [m, d] = monthDay.split('-').map(Number) as [number, number];
  // Only years where the day is real (a file's `1999-02-29` has no day page).
  const calendar = calendarOf(ctx);
  const byYear = ctx.catalog.onThisDay(monthDay).filter(({ year }) => calendar.has(`${year}-${monthDay}`));
  const days = allMonthDays();
  const at = days.indexOf(monthDay);
  const prev = days[(at + days.length - 1) % days.length]!;
  const next = days[(at + 1) % days.length]!;
  const label = (md: string): string => `${Number(md.slice(0, 2))} 月 ${Number(md.slice(3, 5))} 日`;
  return page(
    ctx,
    { title: `歷史上的 ${m} 月 ${d} 日`, section: 'on-this-day' },
    html`
<h1>歷史上的 ${m} 月 ${d} 日</h1>
${adjacentNav('日子', { href: onThisDayHref(prev), label: label(prev) }, { href: onThisDayHref(next), label: label(next) })}
${
  byYear.length === 0
    ? html`<p>歷年的 ${m} 月 ${d} 日都沒有文章。</p>`
    : byYear.map(
        ({ year, items }) => html`<section aria-labelledby="y${year}">
<h2 id="y${year}"><a href="${dateHref(`${year}-${monthDay}`)}">${year} 年</a></h2>
${articleList(items, 3, false)}
</section>`,
      )
}
<p><a href="/on-this-day/">所有日子</a></p>`,
  );
}

/** The index of all 366 days (the static export's `/on-this-day/`; the server redirects to today). */
export function onThisDayIndexPage(ctx: ReaderContext): Html {
  const days = allMonthDays();
  const months: HtmlPart[] = [];
  for (let m = 1; m <= 12; m++) {
    const mm = String(m).padStart(2, '0');
    months.push(html`<section aria-labelledby="m${mm}"><h2 id="m${mm}">${m} 月</h2>
<ol class="months">${days.filter((md) => md.startsWith(`${mm}-`)).map((md) => html`<li><a href="${onThisDayHref(md)}">${m} 月 ${Number(md.slice(3))} 日</a></li>`)}</ol></section>`);
  }
  return page(
    ctx,
    { title: '歷史上的今天', section: 'on-this-day' },
    html`
<h1>歷史上的今天</h1>
<p>選擇一天，看看歷年同日的文章。</p>
${months}`,
  );
}
