-- Timers were never used: a server recomputes a case's deadlines from its
-- log when it resumes the case. Dropping the table drops its index.
DROP TABLE timers;
