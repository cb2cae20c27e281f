//! Parquet output (`--format parquet`): the per-trial tables (`trials`, `sweep_trials`) as
//! hive-style datasets partitioned by shard (`trials/shard=0/part-0.parquet`, …), and the
//! time-series and sweep tables (`yearly.parquet`, `sweep.parquet`) as single files. Every
//! table is encoded from the very CSV rows the CSV format writes, so the two formats hold the
//! same values: a column is `INT64` when every cell of it is an integer, `DOUBLE` when every
//! cell is a number (`NaN` and `inf` included), and UTF-8 text otherwise — the types pandas and
//! polars infer from the CSV. The type is decided over the whole table, all partitions together,
//! so the partitions of a dataset share one schema and read as one table. [`to_csv`] turns a
//! file back into its CSV bytes (`dipcap plot` draws from them).

use std::fs::File;
use std::io::{BufWriter, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parquet::basic::{Compression, LogicalType, Repetition, Type as Physical};
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::file::writer::SerializedFileWriter;
use parquet::record::Field;
use parquet::schema::types::Type;
use serde::{Deserialize, Serialize};

use crate::error::RunError;
use crate::output::folder::Seal;

/// How the large tables are written. CSV is the default: any tool reads it. Parquet is
/// smaller and much faster to load, and a sharded run's rows stay one partition per shard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    #[default]
    Csv,
    Parquet,
}

impl Format {
    pub fn is_csv(&self) -> bool {
        *self == Format::Csv
    }

    pub fn name(&self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Parquet => "parquet",
        }
    }
}

/// Rows per row group: large enough for fast scans, small enough that a row group of the
/// widest table (about 60 columns) is buffered in a few tens of megabytes.
const ROW_GROUP: usize = 1 << 16;

/// A column's type, as pandas infers it from the CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Int,
    Float,
    Text,
}

/// Where rows come from: CSV without a header line, in a file or in memory, each row read
/// after a leading cell (`prefix`, a policy's name) when there is one.
pub struct Rows<'a> {
    pub data: Data<'a>,
    pub prefix: Option<&'a str>,
}

pub enum Data<'a> {
    /// Rows only (a rows file of the parts folder, a sweep point's part).
    File(&'a Path),
    /// A whole CSV file: its header line is skipped.
    CsvFile(&'a Path),
    Bytes(&'a [u8]),
}

impl Rows<'_> {
    fn reader(&self) -> Result<csv::Reader<Box<dyn Read + '_>>, RunError> {
        let r: Box<dyn Read> = match self.data {
            Data::File(p) | Data::CsvFile(p) => {
                Box::new(File::open(p).map_err(|e| RunError::write(p, e))?)
            }
            Data::Bytes(b) => Box::new(b),
        };
        Ok(csv::ReaderBuilder::new()
            .has_headers(matches!(self.data, Data::CsvFile(_)))
            .buffer_capacity(1 << 16)
            .from_reader(r))
    }

    fn name(&self) -> String {
        match self.data {
            Data::File(p) | Data::CsvFile(p) => p.display().to_string(),
            Data::Bytes(_) => "rows in memory".into(),
        }
    }

    /// Calls `f` with each row's cells (the prefix first), checking the column count.
    fn each(&self, columns: usize, mut f: impl FnMut(&[&[u8]])) -> Result<(), RunError> {
        let mut r = self.reader()?;
        let mut record = csv::ByteRecord::new();
        let own = columns - usize::from(self.prefix.is_some());
        loop {
            match r.read_byte_record(&mut record) {
                Ok(false) => return Ok(()),
                Ok(true) => {}
                Err(e) => {
                    return Err(RunError::Encode {
                        what: self.name(),
                        reason: e.to_string(),
                    });
                }
            }
            if record.len() != own {
                return Err(RunError::Encode {
                    what: self.name(),
                    reason: format!(
                        "a row has {} cells where the table has {own} columns",
                        record.len()
                    ),
                });
            }
            let mut cells: Vec<&[u8]> = Vec::with_capacity(columns);
            if let Some(p) = self.prefix {
                cells.push(p.as_bytes());
            }
            cells.extend(record.iter());
            f(&cells);
        }
    }
}

fn is_int(cell: &[u8]) -> bool {
    std::str::from_utf8(cell).is_ok_and(|s| {
        let digits = s.strip_prefix('-').unwrap_or(s);
        !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) && s.parse::<i64>().is_ok()
    })
}

fn as_float(cell: &[u8]) -> Option<f64> {
    std::str::from_utf8(cell).ok()?.parse::<f64>().ok()
}

/// The type of every column over all rows of all partitions.
fn infer(columns: usize, partitions: &[Vec<Rows>]) -> Result<Vec<Kind>, RunError> {
    let mut kinds = vec![Kind::Int; columns];
    for rows in partitions.iter().flatten() {
        rows.each(columns, |cells| {
            for (k, cell) in kinds.iter_mut().zip(cells) {
                if *k == Kind::Int && !is_int(cell) {
                    *k = Kind::Float;
                }
                if *k == Kind::Float && as_float(cell).is_none() {
                    *k = Kind::Text;
                }
            }
        })?;
    }
    Ok(kinds)
}

fn schema(header: &[String], kinds: &[Kind]) -> Result<Arc<Type>, RunError> {
    let encode = |e: parquet::errors::ParquetError| RunError::Encode {
        what: "the Parquet schema".into(),
        reason: e.to_string(),
    };
    let fields = header
        .iter()
        .zip(kinds)
        .map(|(name, kind)| {
            let t = match kind {
                Kind::Int => Type::primitive_type_builder(name, Physical::INT64),
                Kind::Float => Type::primitive_type_builder(name, Physical::DOUBLE),
                Kind::Text => Type::primitive_type_builder(name, Physical::BYTE_ARRAY)
                    .with_logical_type(Some(LogicalType::String)),
            };
            t.with_repetition(Repetition::REQUIRED)
                .build()
                .map(Arc::new)
                .map_err(encode)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Type::group_type_builder("schema")
        .with_fields(fields)
        .build()
        .map(Arc::new)
        .map_err(encode)
}

/// One column's values of the row group being filled.
enum Column {
    Int(Vec<i64>),
    Float(Vec<f64>),
    Text(Vec<ByteArray>),
}

impl Column {
    /// Adds a cell. The kinds were inferred from these very cells, so each parses as its
    /// column's type unless the file changed between the two readings.
    fn push(&mut self, cell: &[u8]) -> bool {
        match self {
            Column::Int(v) => match std::str::from_utf8(cell).ok().and_then(|s| s.parse().ok()) {
                Some(x) => v.push(x),
                None => return false,
            },
            Column::Float(v) => match as_float(cell) {
                Some(x) => v.push(x),
                None => return false,
            },
            Column::Text(v) => v.push(ByteArray::from(cell.to_vec())),
        }
        true
    }

    fn len(&self) -> usize {
        match self {
            Column::Int(v) => v.len(),
            Column::Float(v) => v.len(),
            Column::Text(v) => v.len(),
        }
    }
}

/// Writes one Parquet file to `w` from `rows`, a row group every [`ROW_GROUP`] rows.
fn encode<W: std::io::Write + Send>(
    w: W,
    what: &Path,
    schema: &Arc<Type>,
    kinds: &[Kind],
    rows: &[Rows],
) -> Result<W, RunError> {
    let err = |e: parquet::errors::ParquetError| RunError::Encode {
        what: what.display().to_string(),
        reason: e.to_string(),
    };
    let props = Arc::new(
        WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_row_count(Some(ROW_GROUP))
            .build(),
    );
    let mut writer = SerializedFileWriter::new(w, schema.clone(), props).map_err(err)?;
    let fresh = || -> Vec<Column> {
        kinds
            .iter()
            .map(|k| match k {
                Kind::Int => Column::Int(Vec::with_capacity(ROW_GROUP)),
                Kind::Float => Column::Float(Vec::with_capacity(ROW_GROUP)),
                Kind::Text => Column::Text(Vec::with_capacity(ROW_GROUP)),
            })
            .collect()
    };
    let mut columns = fresh();
    let flush = |columns: &mut Vec<Column>,
                 writer: &mut SerializedFileWriter<W>|
     -> Result<(), parquet::errors::ParquetError> {
        if columns.first().is_none_or(|c| c.len() == 0) {
            return Ok(());
        }
        let mut group = writer.next_row_group()?;
        for c in columns.iter() {
            let mut col = group
                .next_column()?
                .expect("the schema has a column for each of the row group's");
            match c {
                Column::Int(v) => {
                    col.typed::<Int64Type>().write_batch(v, None, None)?;
                }
                Column::Float(v) => {
                    col.typed::<DoubleType>().write_batch(v, None, None)?;
                }
                Column::Text(v) => {
                    col.typed::<ByteArrayType>().write_batch(v, None, None)?;
                }
            }
            col.close()?;
        }
        group.close()?;
        *columns = fresh();
        Ok(())
    };
    let mut failed = None;
    let mut changed = false;
    for r in rows {
        r.each(kinds.len(), |cells| {
            if failed.is_some() || changed {
                return;
            }
            for (c, cell) in columns.iter_mut().zip(cells) {
                changed |= !c.push(cell);
            }
            if columns[0].len() == ROW_GROUP
                && let Err(e) = flush(&mut columns, &mut writer)
            {
                failed = Some(e);
            }
        })?;
        if let Some(e) = failed.take() {
            return Err(err(e));
        }
        if changed {
            return Err(RunError::Encode {
                what: r.name(),
                reason: "it changed while it was being read (another dipcap writing it?): run the command again".into(),
            });
        }
    }
    flush(&mut columns, &mut writer).map_err(err)?;
    writer.into_inner().map_err(err)
}

/// Writes a table's partitions, partition `i` from `partitions[i]` to `paths[i]` (folders
/// made as needed), all with the schema of the whole table. Returns each file's seal.
pub fn write_partitions(
    header: &[String],
    partitions: &[Vec<Rows>],
    paths: &[PathBuf],
) -> Result<Vec<Seal>, RunError> {
    assert_eq!(partitions.len(), paths.len(), "a path for every partition");
    let kinds = infer(header.len(), partitions)?;
    let schema = schema(header, &kinds)?;
    let mut seals = Vec::with_capacity(paths.len());
    for (rows, path) in partitions.iter().zip(paths) {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| RunError::write(dir, e))?;
        }
        let file = File::create(path).map_err(|e| RunError::write(path, e))?;
        let w = encode(
            BufWriter::with_capacity(1 << 16, file),
            path,
            &schema,
            &kinds,
            rows,
        )?;
        let file = w
            .into_inner()
            .map_err(|e| RunError::write(path, e.into_error()))?;
        file.sync_all().map_err(|e| RunError::write(path, e))?;
        seals.push(Seal::of_file(path).map_err(|e| RunError::write(path, e))?);
    }
    Ok(seals)
}

/// The header and the rows after it of a whole CSV.
fn split_header(csv: &[u8]) -> Result<(Vec<String>, &[u8]), RunError> {
    let end = csv
        .iter()
        .position(|b| *b == b'\n')
        .map_or(csv.len(), |i| i + 1);
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(&csv[..end]);
    let header = r
        .records()
        .next()
        .transpose()
        .map_err(|e| RunError::Encode {
            what: "a CSV header".into(),
            reason: e.to_string(),
        })?
        .map(|h| h.iter().map(str::to_string).collect())
        .unwrap_or_default();
    Ok((header, &csv[end..]))
}

/// A whole CSV (header line first) as the bytes of one Parquet file.
pub fn from_csv(what: &Path, csv: &[u8]) -> Result<Vec<u8>, RunError> {
    let (header, body) = split_header(csv)?;
    let rows = vec![vec![Rows {
        data: Data::Bytes(body),
        prefix: None,
    }]];
    let kinds = infer(header.len(), &rows)?;
    encode(
        Vec::new(),
        what,
        &schema(&header, &kinds)?,
        &kinds,
        &rows[0],
    )
}

/// A CSV file in `dir` replaced by its Parquet copy (`sweep.csv` → `sweep.parquet`),
/// streamed. Returns the new file's name and seal.
pub fn replace_csv(dir: &Path, csv_name: &str) -> Result<(String, Seal), RunError> {
    let csv_path = dir.join(csv_name);
    let name = parquet_name(csv_name);
    let path = dir.join(&name);
    let header = {
        let mut head = Vec::new();
        let f = File::open(&csv_path).map_err(|e| RunError::write(&csv_path, e))?;
        std::io::BufRead::read_until(&mut std::io::BufReader::new(f), b'\n', &mut head)
            .map_err(|e| RunError::write(&csv_path, e))?;
        split_header(&head)?.0
    };
    let partitions = vec![vec![Rows {
        data: Data::CsvFile(&csv_path),
        prefix: None,
    }]];
    let seals = write_partitions(&header, &partitions, std::slice::from_ref(&path))?;
    std::fs::remove_file(&csv_path).map_err(|e| RunError::write(&csv_path, e))?;
    Ok((name, seals.into_iter().next().expect("one partition")))
}

/// The file of shard `i` of `n` in a dataset: `trials/shard=3/part-0.parquet`. The shard
/// number has as many digits as the largest (`shard=03` of 12), so that readers which list
/// the files in name order (pyarrow) give the partitions in shard order.
pub fn partition(dataset: &str, i: usize, n: usize) -> String {
    let width = (n.max(1) - 1).to_string().len();
    format!("{dataset}/shard={i:0width$}/part-0.parquet")
}

/// `yearly.csv` → `yearly.parquet`.
pub fn parquet_name(csv_name: &str) -> String {
    format!("{}.parquet", csv_name.trim_end_matches(".csv"))
}

/// Where table `csv_name` of output folder `dir` is: the CSV, or in a folder whose manifest
/// says `"format": "parquet"` its Parquet copy (`yearly.csv` → `yearly.parquet`). The manifest
/// decides, not which files are there: a CSV someone put into a Parquet folder is not read.
pub fn table_path(dir: &Path, csv_name: &str) -> PathBuf {
    let parquet = parquet_name(csv_name);
    let copied = crate::output::folder::PARQUET_COPIES.contains(&parquet.as_str());
    if copied && folder_format(dir) == Format::Parquet {
        dir.join(parquet)
    } else {
        dir.join(csv_name)
    }
}

/// The format an output folder's manifest records (CSV when it records none).
pub fn folder_format(dir: &Path) -> Format {
    std::fs::read(dir.join(crate::output::folder::MANIFEST))
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .and_then(|v| serde_json::from_value(v.get("format")?.clone()).ok())
        .unwrap_or_default()
}

/// A table found by [`table_path`], as CSV bytes, or what is wrong with its file.
pub fn read_table(path: &Path) -> Result<Vec<u8>, String> {
    if path.extension().is_some_and(|e| e == "parquet") {
        to_csv(path).map_err(|e| format!("not a Parquet table dipcap can read ({e})"))
    } else {
        std::fs::read(path).map_err(|e| e.to_string())
    }
}

/// A Parquet file written here, back as the CSV bytes it was made from: integers and text
/// as they were, floats in dipcap's shortest round-trip form ([`super::num`]), which is how
/// the CSV wrote them.
pub fn to_csv(path: &Path) -> Result<Vec<u8>, RunError> {
    let err = |e: parquet::errors::ParquetError| RunError::Encode {
        what: path.display().to_string(),
        reason: e.to_string(),
    };
    let file = File::open(path).map_err(|e| RunError::write(path, e))?;
    let reader = SerializedFileReader::new(file).map_err(err)?;
    let names: Vec<String> = reader
        .metadata()
        .file_metadata()
        .schema_descr()
        .columns()
        .iter()
        .map(|c| c.name().to_string())
        .collect();
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let csv_err = |e: csv::Error| RunError::Encode {
        what: path.display().to_string(),
        reason: e.to_string(),
    };
    w.write_record(&names).map_err(csv_err)?;
    let mut cells: Vec<String> = Vec::with_capacity(names.len());
    for row in reader.get_row_iter(None).map_err(err)? {
        let row = row.map_err(err)?;
        cells.clear();
        for (_, field) in row.get_column_iter() {
            cells.push(match field {
                Field::Long(v) => itoa::Buffer::new().format(*v).to_string(),
                Field::Double(v) => super::num(*v),
                Field::Str(s) => s.clone(),
                other => {
                    return Err(RunError::Encode {
                        what: path.display().to_string(),
                        reason: format!("a value of a type dipcap does not write ({other})"),
                    });
                }
            });
        }
        w.write_record(&cells).map_err(csv_err)?;
    }
    w.into_inner().map_err(|e| RunError::Encode {
        what: path.display().to_string(),
        reason: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions_sort_by_name_in_shard_order() {
        assert_eq!(partition("trials", 0, 1), "trials/shard=0/part-0.parquet");
        assert_eq!(partition("trials", 9, 10), "trials/shard=9/part-0.parquet");
        assert_eq!(partition("trials", 3, 12), "trials/shard=03/part-0.parquet");
        let mut names: Vec<String> = (0..101).map(|i| partition("t", i, 101)).collect();
        let made = names.clone();
        names.sort();
        assert_eq!(names, made);
    }

    /// Column types are pandas' inference from the CSV: integers while every cell is one,
    /// then numbers (NaN and inf included), then text; decided over all partitions.
    #[test]
    fn column_types_follow_every_cell_of_every_partition() {
        let a = b"1,2,x,NaN,5\n3,4,y,inf,6\n".as_slice();
        let b = b"2,2.5,z,-inf,-7\n".as_slice();
        let rows = |d| Rows {
            data: Data::Bytes(d),
            prefix: None,
        };
        let kinds = infer(5, &[vec![rows(a)], vec![rows(b)]]).unwrap();
        assert_eq!(
            kinds,
            [Kind::Int, Kind::Float, Kind::Text, Kind::Float, Kind::Int]
        );
        // A prefix is the row's first cell.
        let p = Rows {
            data: Data::Bytes(b"1,2\n"),
            prefix: Some("cut, then spare"),
        };
        let mut seen = Vec::new();
        p.each(3, |c| seen.extend(c.iter().map(|x| x.to_vec())))
            .unwrap();
        assert_eq!(
            seen,
            [b"cut, then spare".to_vec(), b"1".to_vec(), b"2".to_vec()]
        );
        // A row of the wrong width is an error naming the file, not a silent shift.
        assert!(p.each(4, |_| {}).is_err());
    }

    /// Text with commas and quotes, negative and huge integers, NaN and infinities survive
    /// the round trip to Parquet and back to the very CSV bytes.
    #[test]
    fn a_csv_comes_back_byte_for_byte() {
        let csv = b"policy,level,n,x\n\"cut, then \"\"spare\"\"\",0.7,-3,NaN\nas written,1,9007199254740993,inf\nas written,0.1,0,-inf\n";
        let bytes = from_csv(Path::new("t.parquet"), csv).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.parquet");
        std::fs::write(&path, bytes).unwrap();
        assert_eq!(to_csv(&path).unwrap(), csv.to_vec());
    }
}
