/**
 * One booked line of a bank statement, as read from CAMT.053 or MT940 before it becomes a payment.
 * Amounts are exact decimal text, dates ISO; what the format does not carry is undefined.
 */
export interface StatementLine {
  /** Where it was read: "statement 2, entry 5" (XML) or the :61: line number (MT940), for messages. */
  where: string;
  /** Line number in the file (MT940) or the entry's ordinal in the file (CAMT), for the quarantine. */
  line: number;
  account: string;
  statementId: string;
  direction: 'credit' | 'debit';
  /** A reversal (camt RvslInd, MT940 RC/RD): it undoes an earlier booking, it is not a new receipt. */
  reversal: boolean;
  /**
   * A returned or reversed receipt: a debit that gives back money an earlier credit brought in (a SEPA
   * direct debit the payer's bank returned or the payer had refunded: camt DBIT with RvslInd or RtrInf,
   * or bank transaction code IDDT/UPDD|PRDD; MT940 RC). Booked as a negative receipt.
   */
  returned?: boolean;
  /** Why it was returned (camt RtrInf/Rsn/Cd, MT940 :86: /RTRN/), an ISO 20022 reason code such as MD06 or AM04. */
  returnReason?: string;
  amount: string;
  currency: string;
  bookingDate?: string;
  valueDate?: string;
  bankReference?: string;
  endToEndId?: string;
  counterpartyIban?: string;
  counterpartyName?: string;
  remittance?: string;
  creditorReference?: string;
  /** The raw text of the line, for the quarantine's "line as read". */
  raw: string;
}

export interface LineReject {
  line: number;
  column: string;
  reason: string;
  detail: string;
  raw: string;
}

export interface StatementParse {
  format: string;
  lines: StatementLine[];
  rejects: LineReject[];
  warnings: string[];
}
