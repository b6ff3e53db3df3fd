package netroot

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// LinksUp brings every candidate Ethernet link up (no addresses) and waits until at least one
// has carrier or ctx ends. It returns the links with carrier. AoE needs no more than this.
func LinksUp(ctx context.Context, logf func(string, ...any)) ([]string, error) {
	if err := loUp(); err != nil {
		logf("%v", err)
	}
	w, err := watchLinks(logf)
	if err != nil {
		return nil, err
	}
	defer w.Close()
	links := map[int]*linkInfo{}
	for {
		var up []string
		for _, l := range links {
			if l.Carrier {
				up = append(up, l.Name)
			}
		}
		if len(up) > 0 {
			sort.Strings(up)
			return up, nil
		}
		select {
		case u, ok := <-w.C:
			if !ok {
				return nil, fmt.Errorf("links: the link update channel closed")
			}
			l, deleted := linkFromUpdate(u, links[int(u.Attrs().Index)])
			if deleted || !candidate(l) {
				delete(links, l.Index)
				continue
			}
			links[l.Index] = l
			if !l.AdminUp && l.UpErr == nil {
				if err := setUp(l.Index); err != nil {
					l.UpErr = err
				}
			}
		case <-ctx.Done():
			var seen []string
			for _, l := range links {
				seen = append(seen, l.Name+" ("+l.state()+")")
			}
			sort.Strings(seen)
			if len(seen) == 0 {
				return nil, fmt.Errorf("links: no Ethernet link appeared (is the NIC's driver in the image?)")
			}
			return nil, fmt.Errorf("links: no link had carrier: %s", strings.Join(seen, ", "))
		}
	}
}
