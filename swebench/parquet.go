package swebench

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/parquet-go/parquet-go"
)

// ReadParquet reads instances from a parquet file in the Hugging Face
// layout: one column per field, all strings, FAIL_TO_PASS and PASS_TO_PASS
// holding JSON-encoded lists. Real list<string> columns are accepted too;
// columns that are not Instance fields are ignored.
func ReadParquet(path string) ([]Instance, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("swebench: instances file: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("swebench: instances file: %w", err)
	}
	return readParquet(f, st.Size(), path)
}

// leafInfo describes one parquet leaf column that feeds an Instance field.
type leafInfo struct {
	field    string // top-level column name
	repeated bool   // a list column
	maxDef   int
}

// readParquet decodes every row of a parquet file; name is used in errors.
// parquet-go may panic on corrupt input, which is reported as an error.
func readParquet(r io.ReaderAt, size int64, name string) (out []Instance, err error) {
	defer func() {
		if p := recover(); p != nil {
			out, err = nil, fmt.Errorf("swebench: %s: corrupt parquet file: %v", name, p)
		}
	}()
	pf, err := parquet.OpenFile(r, size)
	if err != nil {
		return nil, fmt.Errorf("swebench: %s: not a readable parquet file: %v", name, err)
	}
	schema := pf.Schema()
	leaves := map[int]leafInfo{}
	for _, path := range schema.Columns() {
		if _, text := textFields[path[0]]; !text {
			if _, list := listFields[path[0]]; !list {
				continue
			}
		}
		lc, ok := schema.Lookup(path...)
		if !ok {
			continue
		}
		leaves[lc.ColumnIndex] = leafInfo{field: path[0], repeated: lc.MaxRepetitionLevel > 0, maxDef: lc.MaxDefinitionLevel}
	}
	reader := parquet.NewReader(pf)
	defer reader.Close()
	buf := make([]parquet.Row, 32)
	for {
		n, rerr := reader.ReadRows(buf)
		for _, row := range buf[:n] {
			m := rowMap(row, leaves)
			in, err := decodeRow(m)
			if err != nil {
				return nil, fmt.Errorf("swebench: %s: row %d: %w", name, len(out), err)
			}
			out = append(out, in)
		}
		if rerr != nil {
			if errors.Is(rerr, io.EOF) {
				return out, nil
			}
			return nil, fmt.Errorf("swebench: %s: row %d: %v", name, len(out), rerr)
		}
		if n == 0 {
			return out, nil
		}
	}
}

// rowMap turns one parquet row into column name → string, []string or nil,
// the shapes decodeRow accepts. Values are copied out of the row.
func rowMap(row parquet.Row, leaves map[int]leafInfo) map[string]any {
	m := map[string]any{}
	for _, v := range row {
		leaf, ok := leaves[v.Column()]
		if !ok {
			continue
		}
		if !leaf.repeated {
			if v.IsNull() {
				m[leaf.field] = nil
			} else {
				m[leaf.field] = v.String()
			}
			continue
		}
		l, _ := m[leaf.field].([]string)
		if l == nil {
			l = []string{}
		}
		if v.DefinitionLevel() == leaf.maxDef && !v.IsNull() {
			l = append(l, v.String())
		}
		m[leaf.field] = l
	}
	return m
}
