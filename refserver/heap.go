package refserver

import "container/heap"

// heapOf is a binary min-heap of T ordered by less, over container/heap. When setSlot is not
// nil, it is told each item's position as it moves (-1 once the item leaves), so that an item
// can be fixed or removed where it stands.
type heapOf[T any] struct {
	items   []T
	less    func(a, b T) bool
	setSlot func(item T, slot int)
}

// newHeap returns an empty heap ordered by less; setSlot may be nil.
func newHeap[T any](less func(a, b T) bool, setSlot func(T, int)) heapOf[T] {
	return heapOf[T]{less: less, setSlot: setSlot}
}

// Len, Less, Swap, Push and Pop implement heap.Interface; use the methods below instead.
func (h *heapOf[T]) Len() int           { return len(h.items) }
func (h *heapOf[T]) Less(i, j int) bool { return h.less(h.items[i], h.items[j]) }
func (h *heapOf[T]) Swap(i, j int) {
	h.items[i], h.items[j] = h.items[j], h.items[i]
	h.slot(i)
	h.slot(j)
}
func (h *heapOf[T]) Push(x any) {
	h.items = append(h.items, x.(T))
	h.slot(len(h.items) - 1)
}
func (h *heapOf[T]) Pop() any {
	last := len(h.items) - 1
	item := h.items[last]
	var zero T
	h.items[last] = zero // no reference kept in the spare capacity
	h.items = h.items[:last]
	if h.setSlot != nil {
		h.setSlot(item, -1)
	}
	return item
}

func (h *heapOf[T]) slot(i int) {
	if h.setSlot != nil {
		h.setSlot(h.items[i], i)
	}
}

// top returns the least item; the heap must not be empty.
func (h *heapOf[T]) top() T { return h.items[0] }

// push adds item.
func (h *heapOf[T]) push(item T) { heap.Push(h, item) }

// pop removes and returns the least item; the heap must not be empty.
func (h *heapOf[T]) pop() T { return heap.Pop(h).(T) }

// fix restores the order after the item at slot changed.
func (h *heapOf[T]) fix(slot int) { heap.Fix(h, slot) }

// remove removes the item at slot.
func (h *heapOf[T]) remove(slot int) { heap.Remove(h, slot) }
