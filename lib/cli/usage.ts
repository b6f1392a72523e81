// The `disputes --help` text: every command and option, in one place.

/** What `disputes --help` prints, and what follows an unknown command. */
export const USAGE = `usage:
  disputes ingest FILE [--format jsonl|asterisk|freeswitch] [OPERATOR OPTIONS] [--wait-seconds N]
        streams FILE to the ingest queue (format detected when omitted) and waits for the stack to store it;
        prints accepted, duplicates, conflicts and rejected by reason; exit status 0 when nothing was rejected,
        2 when something was rejected or conflicted (kept: see rejects list), 3 when the stack did not finish
        counting within --wait-seconds (default 60) of no progress, 1 on error.
        --source is required for Asterisk and FreeSWITCH files, and for JSON lines unless every record names its
        own source: without it the file is refused and nothing is sent (calls stored under a made-up source
        would be stored again under the real one). Give the same --source every time a switch's files are
        imported. Asterisk cdr_csv Master.csv (18 or 21 columns) is detected; a file written by a cdr_custom mapping
        needs --columns or --columns-file. Two real shapes:
          a small PBX's Master.csv: local numbers of 6 digits (960123), calls rung on 4 phones (4 rows each):
            disputes ingest Master.csv --source lune-pbx --country GB --area-code 01524 --timezone Europe/London
              --account acct-lune --caller +441524960000 --allow-extensions --count-forked-once
          cdr_custom's sample mapping, 19 columns, clid first: """Front Desk"" <101>","101","5550147",…,"",0
            disputes ingest cdr-custom/Master.csv --columns-file /etc/asterisk/cdr_custom.conf --source ohio-pbx
              --country US --area-code 614 --timezone America/New_York --account-column accountcode
              --caller +16145550110
  disputes rejects list [--reason R] [--source S] [--all | --status S] [--json]
        kept rejects, oldest first, with file, line, raw text, reasons, status (who closed it, when, why) and
        sightings: the same bad record from the same source is one reject, seen once per import or message
        (an SQS redelivery is not a new sighting). Open ones; --all: closed ones too; --status OPEN|REPLAYED|
        RESOLVED|DISMISSED|KEPT|REPLACED. --reason matches CONFLICT, a field or column name, or part of a reason
  disputes rejects show REJECT_ID [--json]
  disputes rejects replay (--id ID [--id ID…] [--raw TEXT] | --all [--reason R] [--source S]) [OPERATOR OPTIONS]
        re-reads each reject with its format adapter and options (the options given here override them, --raw
        replaces one reject's text) and sends what now passes through ingest; exit status as for ingest
  disputes rejects resolve REJECT_ID [--note TEXT]     an invalid record corrected and sent again, or dealt with
  disputes rejects dismiss REJECT_ID --reason TEXT     closed without action, with the reason
  disputes rejects keep REJECT_ID [--note TEXT]        a conflict settled: the stored CDR stays
  disputes rejects replace REJECT_ID [--note TEXT]     a conflict settled: the conflicting CDR replaces the stored
        one (refused when the stored CDR changed since the conflict was recorded); statistics follow the change.
        Each closes an open reject once, recorded as the local auditor with the time (the API: /v1/rejects)
  disputes open --account A --claim NEVER_CONNECTED|WRONG_DURATION
                (--number +E164 --from ISO --to ISO | --calls ID,ID…) [--ticket T] [--statement TEXT]
        opens a dispute as the ticket tool does; ISO is a date and time with an offset, e.g. 2026-10-26T19:00:00-05:00
  disputes show DISPUTE_ID [--json]
        status, the recommendation's outcome, credit, goodwill and reasons, the decision, every disputed call
        (started at the dispute's offset, answered, time to answer, talk, billed and expected seconds, charge,
        verdict, credit, reasons), then the history
  disputes queue [--status RECOMMENDED|RECEIVED|INVESTIGATING|DECIDED] [--account A] [--limit N] [--all] [--json]
        the review queue, oldest first (one page of --limit, 1-100, default 25; --all follows the cursor to the end)
  disputes decide DISPUTE_ID --accept [--note TEXT]
  disputes decide DISPUTE_ID --override --outcome CREDIT|PARTIAL_CREDIT|DENY --credit AMOUNT --reason TEXT
  disputes decide DISPUTE_ID --goodwill --reason TEXT [--credit AMOUNT]
        AMOUNT in the currency of the disputed calls, e.g. 1.20 for $1.20; decided as the reviewer token's user.
        --goodwill credits the recommendation's suggested goodwill (or the smaller --credit) as its own decision:
        the outcome stays DENY, it is not an override; refused when the recommendation offers no goodwill.
        Refused (409 lease-held) while another reviewer holds the dispute in the console
  disputes reinvestigate DISPUTE_ID [--reason TEXT] [--wait-seconds N] [--json]
        sends a RECOMMENDED dispute back to the investigator (e.g. after late CDRs), waits up to --wait-seconds
        (default 60) for the new recommendation and prints the dispute as show does; exit status 3 when none came
  disputes history ACCOUNT [--json]         every dispute of an account, oldest first, with outcome and credit
  disputes stats +E164 [--from ISO] [--to ISO] [--granularity hour|day] [--json]
        connect statistics per day (default) or hour in UTC: attempts, answered, ASR, NER, short calls and ACD,
        the total, and the time-to-answer histogram. Without --from and --to: the 7 days ending with the number's
        latest stored hour, wherever its data is; it says when the number has none. +E164 may be written with
        spaces or dashes, or be an extension stored with --allow-extensions
  disputes audit [--from ISO --to ISO] [--repair] [--export json|csv [--out FILE] | --json]
        runs the batch audit now (through the API), waits for it and prints a summary per finding type, or
        exports the whole report; --repair rewrites drifted connect statistics
  disputes audit --id AUDIT_ID [--export json|csv [--out FILE] | --json]    an earlier report
  disputes adjustments list [--status PENDING_APPROVAL|APPROVED|POSTED] [--since ISO] [--json | --csv FILE]
        credits on their way to billing (default APPROVED: to be posted), in the order they reached the status,
        every page; --csv FILE writes them for the billing system (amountMinor and the amount in currency units)
  disputes adjustments show ADJUSTMENT_ID [--json]
  disputes adjustments approve ADJUSTMENT_ID [--json]
        a second reviewer approves a credit above the approval limit (ADJUSTMENT_APPROVAL_LIMITS); refused
        (409 same-reviewer) to the reviewer who decided it
  disputes adjustments posted ADJUSTMENT_ID [--json]
        the billing system's acknowledgment, with the local billing token; again is harmless (nothing changes)
  disputes webhooks create --url URL --events TYPE,TYPE [--description TEXT]
        registers a webhook endpoint of the ticketing client; prints its signing secret once. TYPE: dispute.recommended,
        dispute.decided, dispute.overdue, adjustment.approved, adjustment.posted; URL https:// (locally http:// to
        127.0.0.1 too). Each delivery is signed (Dispute-Signature) and retried with backoff for up to 72 h
  disputes webhooks list | show ENDPOINT_ID        its endpoints: status, why one is disabled, last success
  disputes webhooks update ENDPOINT_ID [--url URL] [--events TYPE,TYPE] [--description TEXT]
  disputes webhooks disable ENDPOINT_ID | enable ENDPOINT_ID | delete ENDPOINT_ID
  disputes webhooks roll ENDPOINT_ID [--overlap-hours N]
        a new signing secret, printed once; the previous one keeps signing beside it for N hours (default 24)
  disputes webhooks deliveries ENDPOINT_ID [--limit N] [--json]
        the delivery log, newest first: each event's status and every attempt (status, code, latency, error)
  disputes webhooks redeliver ENDPOINT_ID DELIVERY_ID     sends it again, with the same Dispute-Event-Id
  --json (show, queue, history, stats, audit, rejects list, adjustments, webhooks) prints what the API answers, as it is;
  disputes COMMAND --help prints that command's part of this text. A wrong command line is refused before any
  work starts, with exit status 1

OPERATOR OPTIONS (what switch files do not say):
  --source S            the switch or feed (deduplication is per source + call id); required by ingest unless
                        every JSON record names its own, which then wins
  --country CC          ISO country of national numbers (numbers are stored E.164)
  --area-code AREA      with --country: the area code of local numbers, as dialled there (614, 01524, 030). A PBX
                        writes local calls without it: 960123 with --country GB --area-code 01524 is
                        +441524960123, 5550147 with --country US --area-code 614 is +16145550147. Numbers with the
                        national prefix (01614960000, 16145550100) or the international one (00…, 011…) are read
                        as such; fields of fewer than 5 digits stay extensions. Refused where numbers are always
                        dialled in full (ES, IT)
  --timezone ZONE       IANA zone of zone-less timestamps, e.g. America/Chicago
  --account A           the billed account (or the fallback of --account-column)
  --account-column COL  the column naming the account, e.g. accountcode
  --caller +E164        the number calls are billed from when the switch wrote none or an extension
  --rate AMOUNT         charge per minute of billed time in --currency, e.g. 0.15 (PBX files; 0 without it)
  --increment MIN/STEP  billing increment in seconds, e.g. 60/60 or 30/6 (default 1/1)
  --currency XXX        currency of the charges (default USD)
  --allow-extensions    keep internal extensions as called numbers instead of rejecting them (a ring group 600 is
                        stored as 600, and its statistics and disputes are asked for as 600)
  --columns F,F,…       Asterisk: the field names of a file written by a custom cdr_custom/cdr_csv mapping, in
                        file order, e.g. clid,src,dst,dcontext,channel,…,accountcode,uniqueid,userfield,sequence
                        (the 19 columns of Asterisk's sample mapping). A CDR needs uniqueid, src, dst, start,
                        answer, end, duration, billsec and disposition; other columns are ignored; epoch stamps
                        and numeric dispositions (unformatted mappings) are read
  --columns-file FILE   the same from the mapping itself: a cdr_custom.conf [mappings] line (Master.csv =>
                        \${CSV_QUOTE(\${CDR(clid)})},…) or an advanced section's fields = …; with several
                        mappings, the one that writes a file of the imported file's name
  --count-forked-once   Asterisk: one attempt per call, not per dialled leg: the rows of a call rung on several
                        phones (same linkedid, else uniqueid) are one CDR, answered if any leg was, with the
                        answered leg's times and billsec. Rows of a call more than 1,000 rows apart are not joined
                        (the later part comes back a duplicate or a conflict, kept for review). Off by default: a
                        carrier's rated CDRs are one row per attempt; import a switch's files the same way every
                        time
The stack must be running (npm start).`;
