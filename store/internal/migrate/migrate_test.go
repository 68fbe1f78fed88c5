package migrate

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/shuttle-mediation/shuttle"
)

func TestLoad(t *testing.T) {
	file := func(sql string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(sql)} }
	tests := []struct {
		name    string
		files   fstest.MapFS
		want    []int  // versions, if no error
		wantErr string // in the error, if one
	}{
		{"none", fstest.MapFS{"m/README": file("x")}, nil, ""},
		{"in order", fstest.MapFS{"m/0002_b.sql": file("B"), "m/0001_a.sql": file("A"), "m/notes.txt": file("")}, []int{1, 2}, ""},
		{"ten after nine", fstest.MapFS{
			"m/1_a.sql": file(""), "m/2_a.sql": file(""), "m/3_a.sql": file(""), "m/4_a.sql": file(""), "m/5_a.sql": file(""),
			"m/6_a.sql": file(""), "m/7_a.sql": file(""), "m/8_a.sql": file(""), "m/9_a.sql": file(""), "m/10_a.sql": file(""),
		}, []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, ""},
		{"gap", fstest.MapFS{"m/0001_a.sql": file(""), "m/0003_c.sql": file("")}, nil, "0003_c.sql: expected version 2"},
		{"repeat", fstest.MapFS{"m/0001_a.sql": file(""), "m/0001_b.sql": file("")}, nil, "expected version 2"},
		{"no number", fstest.MapFS{"m/init.sql": file("")}, nil, "init.sql: name must be NNNN_what.sql"},
		{"zero", fstest.MapFS{"m/0000_a.sql": file("")}, nil, "0000_a.sql: name must be"},
		{"no directory", fstest.MapFS{}, nil, "migrations:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms, err := Load(tt.files, "m")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Load = %v, want an error with %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(ms) != len(tt.want) {
				t.Fatalf("Load = %d migrations, want %d", len(ms), len(tt.want))
			}
			for i, m := range ms {
				if m.Version != tt.want[i] || m.SQL != string(tt.files["m/"+m.Name].Data) {
					t.Errorf("migration %d = %+v", i, m)
				}
			}
		})
	}
}

func TestPending(t *testing.T) {
	ms := []Migration{{Version: 1, Name: "0001_a.sql"}, {Version: 2, Name: "0002_b.sql"}}
	for current, want := range []int{2, 1, 0} {
		got, err := Pending(ms, current)
		if err != nil || len(got) != want {
			t.Errorf("Pending(at %d) = %v, %v; want %d", current, got, err, want)
		}
	}
	if _, err := Pending(ms, 3); shuttle.ErrorCode(err) != shuttle.EUnsupported || !strings.Contains(err.Error(), "newer") {
		t.Errorf("Pending(at 3) = %v, want a newer-schema error", err)
	}
}
