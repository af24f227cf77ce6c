"""The OCOP product registry: rated products and their certificates, imports of products rated
before agencyflow, and the re-evaluation opened before a certificate expires.

- :mod:`.registry`: products entering the registry from evaluation outputs, reads, and the
  registry's products as target inputs;
- :mod:`.imports`: ``agencyflow products import FILE`` (CSV or .xlsx), all or nothing;
- :mod:`.reevaluation`: the sweep's part — open a re-evaluation for the producer's commune.
"""
