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
// Each operation reloads the table and retries on a commit conflict with a
// concurrent writer. The domain binaries expose them as
// `<domain> maintain compact|expire-snapshots|remove-orphans|all`.
package maintenance
