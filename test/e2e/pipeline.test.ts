/**
 * The whole embedded pipeline through the CLI (generate → ingest → build), checked against aging,
 * DSO, the roll-forward, currencies, write-offs and open-item snapshots recomputed here in plain
 * TypeScript from the generated CSVs, in integer cents (test/support/ledger-replay.ts). Nothing in
 * this file reuses the model SQL: a bug in a model cannot hide behind the same bug in the check.
 * The generator's real-ledger options are on: foreign currencies with an ECB rate file, credit
 * balances, recoveries, disputes and a mid-month end date (test/support/e2e-ledger.ts). The same
 * ledger's weekly AFAS / Exact Online open-item exports: pipeline-snapshots.test.ts.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DuckDBEngine } from '../../src/warehouse/duckdb/duckdb-engine.js';
import { cli } from '../helpers/cli.js';
import { END, JUNE_END, TABLES, generateE2eLedger, sum } from '../support/e2e-ledger.js';
import { LedgerReplay, Rates, cents, day, monthEnd, toMoney, type OpenLine, type Rec } from '../support/ledger-replay.js';

describe('embedded pipeline end to end (CLI, independent recomputation)', () => {
  const work = mkdtempSync(join(tmpdir(), 'creditlake-e2e-'));
  const ledgerDir = join(work, 'ledger');
  let ledger: Record<string, Rec[]>;
  let L: LedgerReplay;
  let rates: Rates;
  let db: DuckDBEngine;

  beforeAll(async () => {
    ({ ledger, rates, L } = await generateE2eLedger(work, ledgerDir));
    for (const t of TABLES) {
      const res = await cli(work, 'ingest', join(ledgerDir, `${t}.csv`), '--table', t, '--json');
      expect(res.code, `${t}: ${res.stderr}`).toBe(0);
      expect(JSON.parse(res.stdout).rowsRejected).toBe(0);
    }
    const fx = await cli(work, 'ingest', '--feed', 'fx-rates', join(ledgerDir, 'eurofxref-hist.csv'));
    expect(fx.code, fx.stderr).toBe(0);
    expect(fx.stdout).toMatch(/rates loaded \(7 currencies, \d+ dates, ECB layout\), 0 rejected/);
    const build = await cli(work, 'build');
    expect(build.code, build.stderr + build.stdout).toBe(0);
    db = await DuckDBEngine.open({ path: join(work, 'lake', 'warehouse.duckdb'), readOnly: true });
    return async () => {
      await db.close();
    };
  // a generated lake built: minutes on a loaded 2-core machine
  }, 480_000);

  it('lands every generated row exactly once', async () => {
    for (const t of TABLES) {
      const { rows } = await db.query(`SELECT count(*) AS n FROM ${t}`);
      expect(Number(rows[0]!.n), t).toBe(ledger[t]!.length);
    }
  });

  /** The last dated event of the generated CSVs: where the data ends. */
  const dataEnd = () =>
    [...ledger.invoices!.map((r) => r.invoice_date!), ...ledger.payments!.map((r) => r.payment_date!), ...ledger.write_offs!.map((r) => r.write_off_date!)].sort().at(-1)!;
  /** Month ends of the ledger; the partial last month is valued at the data end. */
  const monthEnds = () => {
    const out: { month: string; end: string; agedAt: string; days: number }[] = [];
    const first = [...ledger.invoices!.map((r) => r.invoice_date!), ...ledger.payments!.map((r) => r.payment_date!)].sort()[0]!;
    const last = dataEnd();
    for (let y = Number(first.slice(0, 4)), m = Number(first.slice(5, 7)); `${y}-${String(m).padStart(2, '0')}` <= last.slice(0, 7); m === 12 ? (y++, (m = 1)) : m++) {
      const end = monthEnd(y, m);
      const partial = last < end;
      out.push({ month: end.slice(0, 7), end, agedAt: partial ? last : end, days: partial ? Number(last.slice(8)) : Number(end.slice(8)) });
    }
    return out;
  };

  it('has credit balances, recoveries and foreign currencies of every kind in the generated ledger', () => {
    const open = L.openAt(END);
    expect(open.filter((l) => l.bucket === 'credit balance').length).toBeGreaterThan(3);
    expect(ledger.invoices!.some((r) => r.document_type === 'credit_note' && !r.corrects_document_id)).toBe(true);
    expect(ledger.write_offs!.filter((w) => w.reason === 'recovery').length).toBeGreaterThan(0);
    // recoveries found from cash alone too (no negative write-off row); write_offs_monthly checks their amounts
    // (a query of the int_ views here re-plans the whole view tree: minutes on a loaded machine)
    expect([...L.moves.keys()].some((id) => L.balance(id, day(END)).recoveries.length > 0)).toBe(true);
    expect(new Set(ledger.invoices!.map((r) => r.currency))).toEqual(new Set(['EUR', 'USD', 'GBP', 'SEK', 'CHF']));
    // foreign customers pay in their own currency
    const currencyOf = new Map(ledger.invoices!.map((r) => [r.customer_id!, r.currency!]));
    for (const p of ledger.payments!) expect(p.currency, p.payment_id).toBe(currencyOf.get(p.customer_id!) ?? 'EUR');
  });

  it('disputes: every one lands with its days to resolve and its amount at the document date\'s rate; disputed invoices are paid later', async () => {
    const { rows } = await db.query(
      `SELECT dispute_id, CAST(disputed_amount AS VARCHAR) AS eur, days_to_resolve, reason, outcome FROM int_disputes ORDER BY dispute_id`,
    );
    const disputes = ledger.disputes!;
    expect(disputes.length).toBeGreaterThan(30);
    expect(rows.map((r) => r.dispute_id)).toEqual(disputes.map((d) => d.dispute_id));
    for (const [i, d] of disputes.entries()) {
      const doc = L.docs.get(d.document_id!)!;
      expect([rows[i]!.eur, rows[i]!.days_to_resolve], d.dispute_id).toEqual([
        toMoney(rates.toEur(cents(d.disputed_amount!), doc.currency!, doc.invoice_date!)),
        d.resolved_date ? day(d.resolved_date) - day(d.opened_date!) : null,
      ]);
    }
    expect(new Set(disputes.map((d) => d.reason))).toEqual(new Set(['price', 'quantity', 'quality', 'delivery', 'missing_po', 'duplicate']));
    expect(disputes.some((d) => !d.resolved_date)).toBe(true);
    // days late of invoices paid in full by cash, disputed or not, and per delivery channel
    const paidOn = new Map<string, string>();
    const paid = new Map<string, number>();
    const pays = new Map(ledger.payments!.map((p) => [p.payment_id!, p.payment_date!]));
    for (const a of ledger.payment_allocations!) {
      const d = pays.get(a.payment_id!)!;
      if ((paidOn.get(a.document_id!) ?? '') < d) paidOn.set(a.document_id!, d);
      paid.set(a.document_id!, (paid.get(a.document_id!) ?? 0) + cents(a.amount!));
    }
    const corrected = new Set(ledger.invoices!.map((r) => r.corrects_document_id).filter(Boolean));
    const disputed = new Set(disputes.map((d) => d.document_id));
    const late = (filter: (r: Rec) => boolean) => {
      const xs = ledger.invoices!.filter((r) => r.document_type === 'invoice' && !corrected.has(r.document_id) && paid.get(r.document_id!) === cents(r.amount!) && filter(r));
      return sum(xs, (r) => Math.max(0, day(paidOn.get(r.document_id!)!) - day(r.due_date!))) / xs.length;
    };
    expect(late((r) => disputed.has(r.document_id!))).toBeGreaterThan(late((r) => !disputed.has(r.document_id!)) + 5);
    expect(new Set(ledger.invoices!.map((r) => r.delivery_channel))).toEqual(new Set(['paper', 'email', 'e-invoice', 'portal']));
    expect(late((r) => r.delivery_channel === 'paper')).toBeGreaterThan(late((r) => r.delivery_channel === 'e-invoice'));
  });

  it('disputes_monthly: opened, resolved, credited, days to resolve and the register at each month end, per reason and ALL', async () => {
    const { rows } = await db.query(
      `SELECT strftime(month, '%Y-%m') AS m, reason, disputes_opened AS o, CAST(amount_opened AS VARCHAR) AS ao, disputes_resolved AS r,
              CAST(amount_resolved AS VARCHAR) AS ar, resolved_by_credit AS c, mean_days_to_resolve AS mean, max_days_to_resolve AS max,
              open_disputes AS n, CAST(open_disputed_amount AS VARCHAR) AS na, is_complete FROM disputes_monthly ORDER BY month, reason`,
    );
    const months = monthEnds();
    type Dispute = { reason: string; opened_date: string; resolved_date?: string; outcome?: string; eur: number };
    const disputes: Dispute[] = ledger.disputes!.map((d) => {
      const doc = L.docs.get(d.document_id!)!;
      return { reason: d.reason!, opened_date: d.opened_date!, resolved_date: d.resolved_date || undefined, outcome: d.outcome || undefined, eur: rates.toEur(cents(d.disputed_amount!), doc.currency!, doc.invoice_date!) };
    });
    const reasons = ['ALL', ...new Set(disputes.map((d) => d.reason))].sort();
    expect(rows.length).toBe(months.length * reasons.length);
    let checked = 0;
    for (const { month, end } of months) {
      for (const reason of reasons) {
        const mine = disputes.filter((d) => reason === 'ALL' || d.reason === reason);
        const opened = mine.filter((d) => d.opened_date.slice(0, 7) === month);
        const resolved = mine.filter((d) => d.resolved_date && d.resolved_date.slice(0, 7) === month);
        const open = mine.filter((d) => d.opened_date <= end && (!d.resolved_date || d.resolved_date > end));
        const days = resolved.map((d) => day(d.resolved_date!) - day(d.opened_date));
        const r = rows.find((x) => x.m === month && x.reason === reason)!;
        expect([r.o, r.ao, r.r, r.ar, r.c, r.max, r.n, r.na], `${month} ${reason}`).toEqual([
          String(opened.length), toMoney(sum(opened, (d) => d.eur)), String(resolved.length), toMoney(sum(resolved, (d) => d.eur)),
          String(resolved.filter((d) => d.outcome === 'credited' || d.outcome === 'partially_credited').length),
          days.length ? Math.max(...days) : null, String(open.length), toMoney(sum(open, (d) => d.eur)),
        ]);
        if (days.length) expect(r.mean as number, `${month} ${reason}`).toBeCloseTo(days.reduce((a, b) => a + b, 0) / days.length, 9);
        else expect(r.mean).toBeNull();
        expect(r.is_complete, month).toBe(month !== months.at(-1)!.month);
        checked += opened.length;
      }
    }
    expect(checked).toBe(2 * disputes.length);
  });

  it('writes the rates in the ECB layout: newest first, no weekends or TARGET holidays', () => {
    const lines = readFileSync(join(ledgerDir, 'eurofxref-hist.csv'), 'utf8').trim().split('\n');
    expect(lines[0]).toBe('Date,USD,JPY,DKK,GBP,SEK,CHF,NOK,');
    const dates = lines.slice(1).map((l) => l.split(',')[0]!);
    expect(dates[0]).toBe(END);
    expect([...dates].sort().reverse()).toEqual(dates);
    for (const d of dates) expect([0, 6], d).not.toContain(new Date(`${d}T00:00:00Z`).getUTCDay());
    for (const holiday of ['2024-01-01', '2024-03-29', '2024-04-01', '2024-05-01', '2024-12-25', '2024-12-26', '2025-04-18', '2025-04-21', '2025-05-01']) {
      expect(dates, holiday).not.toContain(holiday);
    }
    expect(dates).toContain('2024-12-24');
  });

  it('ages open AR like an independent recomputation at every month end, foreign items at the closing rate', async () => {
    for (const { end, agedAt } of monthEnds()) {
      const expected = new Map<string, { amount: number; count: number }>();
      for (const l of L.openAt(agedAt)) {
        const e = expected.get(l.bucket) ?? { amount: 0, count: 0 };
        expected.set(l.bucket, { amount: e.amount + l.amount, count: e.count + 1 });
      }
      const { rows } = await db.query(
        `SELECT bucket, CAST(open_amount AS VARCHAR) AS amount, open_count FROM ar_aging WHERE segment = 'ALL' AND as_of_date = DATE '${end}'`,
      );
      const actual = new Map(rows.map((r) => [String(r.bucket), { amount: cents(String(r.amount)), count: Number(r.open_count) }]));
      for (const [bucket, e] of expected) {
        expect(toMoney(actual.get(bucket)?.amount ?? 0), `${end} ${bucket} amount`).toBe(toMoney(e.amount));
        expect(actual.get(bucket)?.count ?? 0, `${end} ${bucket} count`).toBe(e.count);
      }
      for (const [bucket, a] of actual) if (!expected.has(bucket)) expect(a.amount, `${end} unexpected ${bucket}`).toBe(0);
    }
  });

  it('ar_currency: per currency the open amount in the currency itself, at the closing rate, and the overdue part', async () => {
    const { rows } = await db.query(
      `SELECT CAST(as_of_date AS VARCHAR) AS d, currency, open_count, CAST(open_amount_original AS VARCHAR) AS orig, CAST(open_amount AS VARCHAR) AS eur,
              CAST(overdue_amount AS VARCHAR) AS overdue FROM ar_currency`,
    );
    const actual = new Map(rows.map((r) => [`${r.d} ${r.currency}`, r]));
    let compared = 0;
    for (const { end, agedAt } of monthEnds()) {
      const byCurrency = new Map<string, OpenLine[]>();
      for (const l of L.openAt(agedAt)) byCurrency.set(l.currency, [...(byCurrency.get(l.currency) ?? []), l]);
      expect(rows.filter((r) => r.d === end).length, end).toBe(byCurrency.size);
      for (const [currency, lines] of byCurrency) {
        const r = actual.get(`${end} ${currency}`)!;
        expect(r, `${end} ${currency}`).toBeDefined();
        const overdue = sum(lines.filter((l) => l.amount > 0 && !l.current), (l) => l.amount);
        expect([Number(r.open_count), r.orig, r.eur, r.overdue], `${end} ${currency}`).toEqual([
          lines.length, toMoney(sum(lines, (l) => l.original)), toMoney(sum(lines, (l) => l.amount)), toMoney(overdue),
        ]);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(4 * 18);
  });

  it('ar_rollforward ties out with the fx_revaluation line, every movement at its own date\'s rate', async () => {
    const { rows } = await db.query(
      `SELECT strftime(month, '%Y-%m') AS m, CAST(ar_begin AS VARCHAR) AS ar_begin, CAST(invoiced AS VARCHAR) AS invoiced, CAST(credit_notes AS VARCHAR) AS credit_notes,
              CAST(collected AS VARCHAR) AS collected, CAST(written_off AS VARCHAR) AS written_off, CAST(ar_end AS VARCHAR) AS ar_end,
              CAST(fx_revaluation AS VARCHAR) AS fx, CAST(cash_received AS VARCHAR) AS cash, is_complete,
              CAST(fx_realised AS VARCHAR) AS fx_realised, CAST(fx_unrealised AS VARCHAR) AS fx_unrealised
       FROM ar_rollforward WHERE group_by = 'ALL' ORDER BY month`,
    );
    const months = monthEnds();
    expect(rows.map((r) => r.m)).toEqual(months.map((m) => m.month));
    let arBegin = 0;
    let fxTotal = 0;
    let realisedTotal = 0;
    // realised FX: the booked residual a document keeps once closed in its own currency
    const residual = (id: string, at: string) => {
      const b = L.balance(id, day(at));
      return b.original === 0 ? b.booked : 0;
    };
    let prevAt: string | undefined;
    for (const { month, agedAt } of months) {
      const r = rows.find((x) => x.m === month)!;
      const inMonth = (date: string) => date.slice(0, 7) === month;
      const arEnd = sum(L.openAt(agedAt), (l) => l.amount);
      // document movements are dated no earlier than the document they move, at their own date's rate
      let invoiced = 0;
      let creditNotes = 0;
      let writtenOff = 0;
      for (const [id, moves] of L.moves) {
        for (const m of moves) {
          if (!inMonth(m.date)) continue;
          if (m.kind === 'doc' && m.type === 'invoice') invoiced += m.eur;
          if (m.kind === 'doc' && m.type === 'credit_note') creditNotes += m.eur;
          if (m.kind === 'wo') writtenOff -= m.eur;
        }
        // recoveries found from cash reinstate written-off debt: they lower the month's write-offs
        writtenOff -= sum(L.balance(id, day(agedAt)).recoveries.filter((x) => inMonth(x.date)), (x) => x.eur);
      }
      const cash = L.receipts(`${month}-01`, agedAt);
      const fx = arEnd - arBegin - invoiced - creditNotes + cash + writtenOff;
      expect([r.ar_begin, r.invoiced, r.credit_notes, r.collected, r.cash, r.written_off, r.ar_end, r.fx], month).toEqual([
        toMoney(arBegin), toMoney(invoiced), toMoney(creditNotes), toMoney(cash), toMoney(cash), toMoney(writtenOff), toMoney(arEnd), toMoney(fx),
      ]);
      expect(r.is_complete, month).toBe(month !== months.at(-1)!.month);
      let realised = 0;
      for (const id of L.moves.keys()) realised += (prevAt ? residual(id, prevAt) : 0) - residual(id, agedAt);
      expect([r.fx_realised, r.fx_unrealised], `${month} realised / unrealised`).toEqual([toMoney(realised), toMoney(fx - realised)]);
      arBegin = arEnd;
      fxTotal += Math.abs(fx);
      realisedTotal += Math.abs(realised);
      prevAt = agedAt;
    }
    expect(realisedTotal).toBeGreaterThan(10_00);
    // foreign items were revalued: the line is not a row of zeros
    expect(fxTotal).toBeGreaterThan(100_00);
  });

  it('write_offs_monthly: gross and net of recoveries, bad-debt ratio gross and net', async () => {
    const { rows } = await db.query(
      `SELECT strftime(month, '%Y-%m') AS m, CAST(written_off AS VARCHAR) AS gross, CAST(recovered AS VARCHAR) AS recovered,
              CAST(net_written_off AS VARCHAR) AS net, CAST(credit_sales AS VARCHAR) AS sales, bad_debt_ratio, bad_debt_ratio_net
       FROM write_offs_monthly WHERE group_by = 'ALL' ORDER BY month`,
    );
    let recoveredTotal = 0;
    for (const { month, agedAt } of monthEnds()) {
      const r = rows.find((x) => x.m === month)!;
      const inMonth = (date: string) => date.slice(0, 7) === month;
      const docCurrency = (id: string) => L.docs.get(id)!.currency!;
      const gross = sum(ledger.write_offs!.filter((w) => inMonth(w.write_off_date!) && cents(w.amount!) > 0), (w) => rates.toEur(cents(w.amount!), docCurrency(w.document_id!), w.write_off_date!));
      const negative = -sum(ledger.write_offs!.filter((w) => inMonth(w.write_off_date!) && cents(w.amount!) < 0), (w) => rates.toEur(cents(w.amount!), docCurrency(w.document_id!), w.write_off_date!));
      let fromCash = 0;
      for (const id of L.moves.keys()) fromCash += sum(L.balance(id, day(agedAt)).recoveries.filter((x) => inMonth(x.date)), (x) => x.eur);
      const sales = sum(ledger.invoices!.filter((d) => inMonth(d.invoice_date!)), (d) => rates.toEur(cents(d.amount!), d.currency!, d.invoice_date!));
      const recovered = negative + fromCash;
      expect([r.gross, r.recovered, r.net, r.sales], month).toEqual([toMoney(gross), toMoney(recovered), toMoney(gross - recovered), toMoney(sales)]);
      if (sales > 0) {
        expect(r.bad_debt_ratio as number, month).toBeCloseTo(gross / sales, 12);
        expect(r.bad_debt_ratio_net as number, month).toBeCloseTo((gross - recovered) / sales, 12);
      }
      recoveredTotal += recovered;
    }
    expect(recoveredTotal).toBeGreaterThan(0);
  });

  it('payment_behaviour: only invoices paid are settled, per customer, segment, country, dispute status and delivery channel, foreign ones settled in their own currency', async () => {
    const { rows } = await db.query(
      `SELECT strftime(month, '%Y-%m') AS m, group_by, group_value, invoices_settled AS n, CAST(amount_settled AS VARCHAR) AS amount,
              mean_days_to_pay, weighted_days_to_pay, mean_days_late, weighted_days_late, invoices_paid_late AS late,
              CAST(amount_paid_late AS VARCHAR) AS late_amount, invoices_closed_by_credit_note AS cn, CAST(amount_closed_by_credit_note AS VARCHAR) AS cn_amount,
              invoices_closed_by_write_off AS wo, CAST(amount_closed_by_write_off AS VARCHAR) AS wo_amount, is_complete
       FROM payment_behaviour WHERE group_by IN ('ALL', 'customer', 'segment', 'country', 'dispute_status', 'delivery_channel')`,
    );
    const last = dataEnd();
    const customers = new Map(ledger.customers!.map((c) => [c.customer_id!, c]));
    const disputed = new Set(ledger.disputes!.map((d) => d.document_id));
    type Closed = { doc: Rec; month: string; eur: number; toPay: number; late: number; paid: boolean; by: string };
    const closed: Closed[] = [];
    for (const doc of ledger.invoices!) {
      if (doc.document_type !== 'invoice' || L.itemOf(doc) !== doc || cents(doc.amount!) <= 0) continue;
      const s = L.settlement(doc.document_id!, last);
      if (!s) continue;
      closed.push({
        doc, month: s.date.slice(0, 7), eur: rates.toEur(cents(doc.amount!), doc.currency!, doc.invoice_date!),
        toPay: day(s.date) - day(doc.invoice_date!), late: Math.max(0, day(s.date) - day(doc.due_date!)),
        paid: s.closedBy === 'payment' && !s.writtenOff, by: s.closedBy,
      });
    }
    const valueOf = (c: Closed, by: string) =>
      by === 'ALL' ? 'ALL' : by === 'customer' ? c.doc.customer_id! : by === 'dispute_status' ? (disputed.has(c.doc.document_id!) ? 'disputed' : 'not disputed')
        : by === 'delivery_channel' ? c.doc.delivery_channel || 'unknown' : customers.get(c.doc.customer_id!)![by] || 'unknown';
    // customer rows only in months a customer closed something; the other groupings dense over the months
    const expectedKeys = new Set(closed.map((c) => `${c.month} customer ${c.doc.customer_id}`));
    for (const { month } of monthEnds()) {
      for (const by of ['segment', 'country']) for (const v of new Set(ledger.customers!.map((c) => c[by] || 'unknown'))) expectedKeys.add(`${month} ${by} ${v}`);
      for (const v of ['ALL', 'disputed', 'not disputed']) expectedKeys.add(`${month} ${v === 'ALL' ? 'ALL' : 'dispute_status'} ${v}`);
      for (const v of new Set(ledger.invoices!.filter((d) => d.document_type === 'invoice').map((d) => d.delivery_channel || 'unknown'))) expectedKeys.add(`${month} delivery_channel ${v}`);
    }
    expect(new Set(rows.map((r) => `${r.m} ${r.group_by} ${r.group_value}`))).toEqual(expectedKeys);
    expect(rows.length).toBe(expectedKeys.size);
    for (const r of rows) {
      const where = `${r.m} ${r.group_by}=${r.group_value}`;
      const mine = closed.filter((c) => c.month === r.m && valueOf(c, String(r.group_by)) === r.group_value);
      const paid = mine.filter((c) => c.paid);
      const lateOnes = paid.filter((c) => c.late > 0);
      const byCn = mine.filter((c) => c.by === 'credit_note');
      const byWo = mine.filter((c) => c.by === 'write_off');
      expect([r.n, r.amount, r.late, r.late_amount, r.cn, r.cn_amount, r.wo, r.wo_amount], where).toEqual([
        String(paid.length), toMoney(sum(paid, (c) => c.eur)), String(lateOnes.length), toMoney(sum(lateOnes, (c) => c.eur)),
        String(byCn.length), toMoney(sum(byCn, (c) => c.eur)), String(byWo.length), toMoney(sum(byWo, (c) => c.eur)),
      ]);
      expect(r.is_complete, where).toBe(r.m !== monthEnds().at(-1)!.month);
      if (!paid.length) {
        expect([r.mean_days_to_pay, r.weighted_days_to_pay, r.mean_days_late, r.weighted_days_late], where).toEqual([null, null, null, null]);
        continue;
      }
      const amount = sum(paid, (c) => c.eur);
      expect(r.mean_days_to_pay as number, where).toBeCloseTo(sum(paid, (c) => c.toPay) / paid.length, 9);
      expect(r.weighted_days_to_pay as number, where).toBeCloseTo(sum(paid, (c) => c.toPay * c.eur) / amount, 9);
      expect(r.mean_days_late as number, where).toBeCloseTo(sum(paid, (c) => c.late) / paid.length, 9);
      expect(r.weighted_days_late as number, where).toBeCloseTo(sum(paid, (c) => c.late * c.eur) / amount, 9);
    }
    // every kind of closure is in the ledger, foreign invoices among the paid ones
    const foreign = closed.filter((c) => c.paid && c.doc.currency !== 'EUR');
    expect([foreign.length > 50, closed.some((c) => c.by === 'credit_note'), closed.some((c) => c.by === 'write_off')]).toEqual([true, true, true]);
    // a foreign invoice paid in full in its currency is settled although the rate moved between invoice and payment
    expect(foreign.some((c) => L.balance(c.doc.document_id!, day(last)).booked !== 0)).toBe(true);
  });

  // Every other customer abroad keeps its limit in its own currency (customers.currency), the others in
  // euros: the limit converts at each month end's closing rate (the data end's in the partial month).
  it('credit_limit_utilisation: the limit as the ERP keeps it beside the one compared, which customer_risk shares', async () => {
    const agedAt = new Map(monthEnds().map((m) => [m.end, m.agedAt]));
    const customers = new Map(ledger.customers!.map((c) => [c.customer_id!, c]));
    const { rows } = await db.query(
      `SELECT CAST(as_of_date AS VARCHAR) AS d, customer_id, CAST(credit_limit AS VARCHAR) AS lim, CAST(credit_limit_original AS VARCHAR) AS orig,
              limit_currency, CAST(open_ar AS VARCHAR) AS ar, over_limit FROM credit_limit_utilisation WHERE limit_source = 'customer_master'`,
    );
    expect(rows.length).toBeGreaterThan(100);
    const limitCurrencies = new Set(rows.map((r) => r.limit_currency));
    expect(limitCurrencies.size, [...limitCurrencies].join()).toBeGreaterThan(2);
    // customers abroad with their limit in euros too: the limit's currency is not the invoices'
    const invoiceCurrency = new Map(ledger.invoices!.map((d) => [d.customer_id!, d.currency!]));
    expect(rows.some((r) => r.limit_currency === 'EUR' && invoiceCurrency.get(String(r.customer_id)) !== 'EUR')).toBe(true);
    for (const r of rows) {
      const c = customers.get(String(r.customer_id))!;
      expect([r.orig, r.limit_currency], String(r.customer_id)).toEqual([toMoney(cents(c.credit_limit!)), c.currency]);
      const lim = rates.toEur(cents(c.credit_limit!), c.currency!, agedAt.get(String(r.d))!);
      expect(r.lim, `${r.customer_id} ${r.d}`).toBe(toMoney(lim));
      expect(r.over_limit).toBe(cents(String(r.ar)) > lim);
    }
    // customer_risk (and the priority marts and alerts that read it) compares the same converted limit
    const risk = (await db.query(
      `SELECT count(*) AS n FROM customer_risk r JOIN credit_limit_utilisation u USING (as_of_date, customer_id)
       WHERE u.limit_source = 'customer_master' AND r.credit_limit IS DISTINCT FROM u.credit_limit`,
    )).rows[0]!;
    expect(Number(risk.n)).toBe(0);
  });

  it('marks the weeks and days the data end does not cover as incomplete (is_complete on the weekly and daily marts)', async () => {
    const last = dataEnd();
    const friday = (monday: string) => new Date(Date.parse(`${monday}T00:00:00Z`) + 4 * 86_400_000).toISOString().slice(0, 10);
    const weeks = (await db.query(`SELECT CAST(week_start AS VARCHAR) AS w, bool_and(is_complete) AS every, bool_or(is_complete) AS some FROM cash_flow_weekly GROUP BY 1 ORDER BY 1`)).rows;
    expect(weeks.length).toBeGreaterThan(50);
    for (const w of weeks) {
      expect([w.every, w.some], String(w.w)).toEqual([friday(String(w.w)) <= last, friday(String(w.w)) <= last]);
    }
    const days = (await db.query(`SELECT CAST(action_date AS VARCHAR) AS d, bool_and(is_complete) AS every, bool_or(is_complete) AS some FROM collection_activity_daily GROUP BY 1`)).rows;
    expect(days.length).toBeGreaterThan(100);
    for (const d of days) expect([d.every, d.some], String(d.d)).toEqual([String(d.d) <= last, String(d.d) <= last]);
    const alias = (await db.query(`SELECT count(*) AS n FROM bankruptcy_rates_by_industry WHERE is_complete IS DISTINCT FROM period_complete`)).rows[0]!;
    expect(Number(alias.n)).toBe(0);
  });

  it('computes DSO, BPDSO, countback and CEI like an independent recomputation, the partial month on its days elapsed', async () => {
    const sales = new Map<string, number>();
    for (const r of ledger.invoices!) {
      const key = r.invoice_date!.slice(0, 7);
      sales.set(key, (sales.get(key) ?? 0) + rates.toEur(cents(r.amount!), r.currency!, r.invoice_date!));
    }
    const months = monthEnds().slice(-12);
    const last = dataEnd();
    const june = (await db.query(`SELECT is_complete, days_elapsed FROM dso_monthly WHERE segment = 'ALL' AND month = DATE '2025-06-01'`)).rows[0]!;
    expect(june).toEqual({ is_complete: false, days_elapsed: Number(last.slice(8)) });
    expect(months.at(-1)!.end).toBe(JUNE_END);
    const { rows } = await db.query(
      `SELECT strftime(month, '%Y-%m') AS m, CAST(credit_sales AS VARCHAR) AS credit_sales, CAST(ar_end AS VARCHAR) AS ar_end,
              dso, bpdso, dso_countback, cei, pct_current,
              CAST(debit_ar_end AS VARCHAR) AS debit_ar_end, CAST(credit_balances_end AS VARCHAR) AS credit_balances_end
       FROM dso_monthly WHERE segment = 'ALL' ORDER BY month`,
    );
    const byMonth = new Map(rows.map((r) => [String(r.m), r]));
    for (let i = 3; i < months.length; i++) {
      const { month: key, agedAt, days } = months[i]!;
      const open = L.openAt(agedAt);
      const ar = sum(open, (l) => l.amount);
      const current = sum(open.filter((l) => l.current), (l) => l.amount);
      const s = sales.get(key) ?? 0;
      const row = byMonth.get(key)!;
      expect(row, key).toBeDefined();
      expect(row.credit_sales, key).toBe(toMoney(s));
      expect(row.ar_end, key).toBe(toMoney(ar));
      expect(Number(row.dso)).toBeCloseTo((ar / s) * days, 6);
      expect(Number(row.bpdso)).toBeCloseTo((current / s) * days, 6);
      // % current on debit balances: the not-yet-due share of what customers owe.
      const debit = open.filter((l) => l.amount > 0);
      const debitTotal = sum(debit, (l) => l.amount);
      const currentDebit = sum(debit.filter((l) => l.current), (l) => l.amount);
      expect(row.debit_ar_end, key).toBe(toMoney(debitTotal));
      expect(row.credit_balances_end, key).toBe(toMoney(ar - debitTotal));
      expect(Number(row.pct_current)).toBeCloseTo((currentDebit / debitTotal) * 100, 6);
      // Countback: exhaust AR against sales walking back from this month.
      let rest = ar;
      let countback = 0;
      for (let j = i; j >= 0; j--) {
        const ms = sales.get(months[j]!.month) ?? 0;
        if (rest >= ms) {
          countback += months[j]!.days;
          rest -= ms;
        } else {
          countback += (rest / ms) * months[j]!.days;
          rest = 0;
          break;
        }
      }
      if (rest === 0) expect(Number(row.dso_countback), `${key} countback`).toBeCloseTo(countback, 6);
      const arStart = sum(L.openAt(months[i - 1]!.agedAt), (l) => l.amount);
      const cei = ((arStart + s - ar) / (arStart + s - current)) * 100;
      expect(Number(row.cei), `${key} cei`).toBeCloseTo(cei, 6);
    }
  });
});
