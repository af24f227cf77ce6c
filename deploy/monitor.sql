-- What to watch on the application database (README "Deployment at scale", monitoring):
--   psql "$DATABASE_URL" -X -q -A -F ' | ' -t -f deploy/monitor.sql
--   psql … -v at='2027-03-15 10:00+07' -f deploy/monitor.sql     # as of another moment
-- One line each: what, how many, since when. Alert on dead > 0, on a sweep lag during office
-- hours of a working day, and on notifications due for more than a few dispatch intervals.
\if :{?at}
\else
\set at now
\endif
SELECT 'dead notifications', COUNT(*), MIN(next_attempt_at)
  FROM notification WHERE status = 'dead'
UNION ALL
SELECT 'failed, waiting for a retry', COUNT(*), MIN(next_attempt_at)
  FROM notification WHERE status = 'failed'
UNION ALL
SELECT 'due and not yet sent (dispatch lag)', COUNT(*), MIN(next_attempt_at)
  FROM notification
 WHERE status IN ('pending', 'failed') AND next_attempt_at <= :'at'::timestamptz
UNION ALL
SELECT 'sweep lag: open assignments whose notice day has passed', COUNT(*),
       MIN(next_notice_on)::timestamptz
  FROM assignment
 WHERE status IN ('open', 'in_progress')
   AND next_notice_on < (:'at'::timestamptz AT TIME ZONE 'Asia/Ho_Chi_Minh')::date;
