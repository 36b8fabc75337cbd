package jobs

// Queue names without namespace. Each kind of work has a queue of its own,
// so that a backlog of one kind (deliveries to a slow server) does not
// hold up another (received activities).
const (
	QueueCritical = "critical" // money: settlement, payouts
	QueueInbox    = "inbox"    // received activities (federation:inbox)
	QueueDelivery = "delivery" // outgoing activities (federation:deliver)
	QueueDefault  = "default"  // everything else (probes)
	QueueLow      = "low"      // housekeeping (the federation sweep)
)

// queuePriorities weigh the queues: a free worker takes its next task from
// a non-empty queue chosen with these odds (asynq's weighted priority), so
// no queue starves, but critical and inbox work go first most of the time.
var queuePriorities = map[string]int{
	QueueCritical: 8,
	QueueInbox:    5,
	QueueDelivery: 4,
	QueueDefault:  2,
	QueueLow:      1,
}

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
