// Package maintenance keeps Iceberg tables healthy, with iceberg-go's own
// table maintenance APIs (v0.7.0):
//
//   - Compact rewrites the small data files of each partition into files of
//     the target size (compaction.Analyze plans bin-packed groups per
//     partition, Transaction.RewriteDataFiles writes and commits them as one
//     "replace" snapshot; rows and query answers are unchanged).
//   - ExpireSnapshots drops snapshots older than a duration while keeping at
//     least the last K (Transaction.ExpireSnapshots), and deletes the files
//     only they referenced.
//   - RemoveOrphans deletes files under the table location that no live
//     snapshot or metadata references and that are older than a grace period
//     (Table.DeleteOrphanFiles): debris of crashed writers. It works on local
//     warehouses and S3 alike through the table's file IO.
//
// Compact and ExpireSnapshots commit through lakehouse.Lakehouse.Commit, the
// lakehouse's one commit loop: each attempt plans on the freshly loaded
// table, and a commit that lost the race against a concurrent writer
// (lakehouse.IsConflict) is planned and tried again, at most CommitRetries
// times (DefaultCommitRetries, 5, when 0: a compaction rewrites data files on
// every attempt). The domain binaries expose the three operations as
// `<domain> maintain compact|expire-snapshots|remove-orphans|all`.
package maintenance
