package jobs

// Queue names without namespace, with their relative priorities.
const (
	QueueCritical = "critical"
	QueueDefault  = "default"
	QueueLow      = "low"
)

var queuePriorities = map[string]int{QueueCritical: 6, QueueDefault: 3, QueueLow: 1}

// Queues names the queues of one Plaudit installation. A namespace lets
// several installations (or parallel tests) share one Redis server.
type Queues struct {
	Namespace string
}

// Name is the Redis queue name for queue.
func (q Queues) Name(queue string) string {
	if q.Namespace == "" {
		return queue
	}
	return q.Namespace + ":" + queue
}

func (q Queues) priorities() map[string]int {
	out := make(map[string]int, len(queuePriorities))
	for name, p := range queuePriorities {
		out[q.Name(name)] = p
	}
	return out
}
