-- SQLite already compares text byte by byte (BINARY): unit paths need no change here. The
-- PostgreSQL migration of the same name gives its path columns the "C" collation.
SELECT 1;
