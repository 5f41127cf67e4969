package condition

import (
	"slices"
	"unicode/utf8"
)

// bitap finds a segment of k characters in a text with the shift-and algorithm: after each
// text character, bit j of the state says whether the segment's first j+1 characters end
// there. One pass over the text, ⌈k/64⌉ words of work per character, no backtracking.
type bitap struct {
	words int
	k     int
	ascii []uint64    // 128 masks of `words` words: which positions accept each ASCII character
	other []otherMask // masks of the non-ASCII characters the segment names, sorted by char
	any   []uint64    // the mask of every other character: the '?' positions
}

type otherMask struct {
	c    rune
	mask []uint64
}

// newBitap builds the masks of a segment. With fold, an ASCII letter accepts both cases.
func newBitap(toks []tok, fold bool) *bitap {
	chars := segmentChars(toks)
	k := len(chars)
	w := (k + 63) / 64
	bt := &bitap{words: w, k: k, ascii: make([]uint64, 128*w), any: make([]uint64, w)}
	for j, c := range chars {
		if c == anyChar {
			bt.any[j/64] |= 1 << (j % 64)
		}
	}
	for c := 0; c < 128; c++ {
		copy(bt.ascii[c*w:], bt.any)
	}
	for j, c := range chars {
		bit, word := uint64(1)<<(j%64), j/64
		switch {
		case c == anyChar:
		case c < utf8.RuneSelf:
			bt.ascii[int(c)*w+word] |= bit
			if fold && 'a' <= c && c <= 'z' {
				bt.ascii[int(c-'a'+'A')*w+word] |= bit
			}
		default:
			bt.otherMask(c)[word] |= bit
		}
	}
	return bt
}

// anyChar stands for '?' among a segment's characters; no text character decodes to it.
const anyChar = -1

// segmentChars lists a segment's characters, '?' as anyChar.
func segmentChars(toks []tok) []rune {
	var out []rune
	for _, t := range toks {
		switch t.kind {
		case tokAny:
			out = append(out, anyChar)
		case tokRaw:
			out = append(out, rawBase+rune(t.s[0]))
		case tokLit:
			for i := 0; i < len(t.s); {
				c, n := char(t.s, i)
				out = append(out, c)
				i += n
			}
		}
	}
	return out
}

func (bt *bitap) otherMask(c rune) []uint64 {
	i, found := slices.BinarySearchFunc(bt.other, c, func(m otherMask, c rune) int { return int(m.c - c) })
	if !found {
		m := otherMask{c: c, mask: slices.Clone(bt.any)}
		bt.other = slices.Insert(bt.other, i, m)
	}
	return bt.other[i].mask
}

// mask returns the positions that accept text character c.
func (bt *bitap) mask(c rune) []uint64 {
	if c < utf8.RuneSelf {
		return bt.ascii[int(c)*bt.words : int(c+1)*bt.words]
	}
	i, found := slices.BinarySearchFunc(bt.other, c, func(m otherMask, c rune) int { return int(m.c - c) })
	if found {
		return bt.other[i].mask
	}
	return bt.any
}

// find returns the end of the leftmost occurrence of the segment in s[p:].
func (bt *bitap) find(s string, p int) (int, bool) {
	if bt.words == 1 {
		return bt.find1(s, p)
	}
	state := make([]uint64, bt.words)
	top, topBit := (bt.k-1)/64, uint64(1)<<((bt.k-1)%64)
	for i := p; i < len(s); {
		c, n := char(s, i)
		i += n
		m, carry := bt.mask(c), uint64(1)
		for j := range state {
			next := state[j]<<1 | carry
			carry = state[j] >> 63
			state[j] = next & m[j]
		}
		if state[top]&topBit != 0 {
			return i, true
		}
	}
	return 0, false
}

func (bt *bitap) find1(s string, p int) (int, bool) {
	var state uint64
	top := uint64(1) << (bt.k - 1)
	for i := p; i < len(s); {
		var m uint64
		if c := s[i]; c < utf8.RuneSelf {
			m = bt.ascii[c]
			i++
		} else {
			r, n := char(s, i)
			m = bt.mask(r)[0]
			i += n
		}
		state = (state<<1 | 1) & m
		if state&top != 0 {
			return i, true
		}
	}
	return 0, false
}
