"""Trade-flow screening: shipments screened by party (listed, or owned by listed parties),
goods (the Common High Priority List), route (transshipment hubs) and pattern (payer, new
consignee, unit value, first-time lane), each a flag with its reason and source, combined into
a risk score per shipment, and the shipments as a counterparty network.
"""
