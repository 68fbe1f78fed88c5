package genius

import (
	"bufio"
	"bytes"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/shuttle-mediation/shuttle"
)

// ReadPareto reads the pareto.xml that GENIUS wrote beside the ANAC 2014
// scenarios: despite its name not XML but one "u1, u2" line per point of
// the Pareto frontier GENIUS computed. Each row holds one utility per
// party, in profile order.
func ReadPareto(path string) ([][]float64, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &shuttle.Error{Code: shuttle.ENotFound, File: path, Message: "cannot read", Err: err}
	}
	return parsePareto(path, data)
}

func parsePareto(file string, data []byte) ([][]float64, error) {
	var rows [][]float64
	sc := bufio.NewScanner(bytes.NewReader(data))
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		fields := strings.Split(text, ",")
		row := make([]float64, len(fields))
		for i, f := range fields {
			x, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
			if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, shuttle.InFile(file, line, "", "%q is not a number", strings.TrimSpace(f))
			}
			row[i] = x
		}
		if len(rows) > 0 && len(row) != len(rows[0]) {
			return nil, shuttle.InFile(file, line, "", "%d utilities where the first line has %d", len(row), len(rows[0]))
		}
		rows = append(rows, row)
	}
	if err := sc.Err(); err != nil {
		return nil, shuttle.InFile(file, 0, "", "%v", err)
	}
	if len(rows) == 0 {
		return nil, shuttle.InFile(file, 0, "", "no frontier points")
	}
	return rows, nil
}
