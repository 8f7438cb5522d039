"""linewise inside the helpdesk: tickets become cases, and cases write back to tickets.

One protocol (helpdesk.connector) with one small module per helpdesk (Request Tracker
over REST 2; Zammad and GLPI through their signed webhooks), a mapping file per helpdesk
(helpdesk.mapping), an inbox that takes each delivery once and never lets an older one
undo newer state (helpdesk.inbox), and an outbox in the case store that delivers every
write exactly once, in order per ticket, with retries (helpdesk.outbox).
"""
