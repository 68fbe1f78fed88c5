package genius

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestReadFolderSkips puts beside the Laptop files everything GENIUS
// folders hold that is not a party; only the two profiles must come back,
// in file-name order.
func TestReadFolderSkips(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"laptop_domain.xml", "laptop_buyer_utility.xml", "laptop_seller_utility.xml"} {
		data, err := os.ReadFile(filepath.Join("testdata", "Laptop", name))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, dir, name, string(data))
	}
	buyer, err := os.ReadFile(filepath.Join("testdata", "Laptop", "laptop_buyer_utility.xml"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "pareto.xml", "0.5, 1.0\n1.0, 0.5\n")
	writeFile(t, dir, "Scenario_1.xml", `<?xml version="1.0" encoding="UTF-8"?>`)
	writeFile(t, dir, "empty.xml", "")
	writeFile(t, dir, "log.xml", `<Tournament><NegotiationOutcome><resultsOfAgent agent="A"/></NegotiationOutcome></Tournament>`)
	writeFile(t, dir, "a_opp.xml", string(buyer))
	writeFile(t, dir, "notes.txt", "not XML at all")
	// A buyer that names a_opp.xml as its model of the seller, GeniusBI style.
	writeFile(t, dir, "z_buyer.xml", string(buyer[:len(buyer)-len("</utility_space>\n")])+
		"<opponent><utilityspace file=\"file:etc/templates/laptop/a_opp.xml\"/></opponent>\n</utility_space>\n")
	if err := os.Mkdir(filepath.Join(dir, "sub.xml"), 0o755); err != nil {
		t.Fatal(err)
	}
	d, ps, err := ReadFolder(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range ps {
		names = append(names, p.Name)
	}
	if want := []string{"laptop_buyer_utility", "laptop_seller_utility", "z_buyer"}; !slices.Equal(names, want) {
		t.Errorf("parties %q, want %q", names, want)
	}
	if d.Name != "laptop_domain" || len(d.Issues) != 3 {
		t.Errorf("domain %q with %d issues, want laptop_domain with 3", d.Name, len(d.Issues))
	}
}

// TestUncertain reads a profile of GENIUS's preference-uncertainty mode as
// the additive profile it also is.
func TestUncertain(t *testing.T) {
	dir := t.TempDir()
	d, err := ReadDomain(writeFile(t, dir, "d.xml", tinyDomain))
	if err != nil {
		t.Fatal(err)
	}
	plain := profile(colour, count, w12)
	uncertain := strings.Replace(plain, "<utility_space>", `<utility_space type="UNCERTAIN">`, 1)
	uncertain = strings.Replace(uncertain, "</utility_space>", `<comparisons value="20"/><errors value="0"/><experimental value="false"/></utility_space>`, 1)
	p, err := ReadProfile(writeFile(t, dir, "plain.xml", plain), d)
	if err != nil {
		t.Fatal(err)
	}
	q, err := ReadProfile(writeFile(t, dir, "uncertain.xml", uncertain), d)
	if err != nil {
		t.Fatal(err)
	}
	sameUtilities(t, p, q, sample(d, p, 1))
}

func ExampleReadFolder() {
	d, profiles, err := ReadFolder(filepath.Join("testdata", "Laptop"))
	if err != nil {
		fmt.Println(err)
		return
	}
	o, err := d.Parse(map[string]string{"Laptop": "HP", "Harddisk": "80 Gb", "External Monitor": "23'' LCD"})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range profiles {
		fmt.Printf("%s: %.4f (reservation %g, discount %g)\n", p.Name, p.Utility(o), p.Reservation, p.Discount)
		for _, n := range p.Notes {
			fmt.Println("  note:", n)
		}
	}
	// Output:
	// laptop_buyer_utility: 0.8151 (reservation 0, discount 0.42441038)
	//   note: weights sum to 1.0000518, not 1: used as written with the utility capped at 1, as GENIUS does
	// laptop_seller_utility: 0.5772 (reservation 0, discount 0.42441038)
	//   note: weights sum to 1.0000518, not 1: used as written with the utility capped at 1, as GENIUS does
}
